from . import med_sales_record_export
