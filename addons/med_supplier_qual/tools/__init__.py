def in_categories(category, categories):
    """Is ``category`` one of ``categories`` or below one of them (by parent_path)?"""
    path = category.parent_path or ""
    return any(path.startswith(parent.parent_path) for parent in categories)
