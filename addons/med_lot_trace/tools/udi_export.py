"""UDI-DI data of products in the layouts of the public UDI databases.

NMPA 医疗器械唯一标识数据库 (UDID): the ``device`` records of its public shared
data (共享数据下载), element names as published (最小销售单元产品标识 zxxsdycpbs, ...),
booleans written 是/否. Registrants upload the same data elements; this file carries
them in that published vocabulary, one ``device`` per UDI-DI.

EUDAMED UDI/Device module: the core data elements of MDR Annex VI Part B, one row
per UDI-DI, columns named after the elements of EUDAMED's UDI-DI data dictionary,
production identifiers and risk classes in its enumerations. EUDAMED's XML bulk
upload wraps these elements in its own envelopes (DTX), which are not reproduced.
"""

NMPA_DEVICE_FIELDS = (
    "zxxsdycpbs",  # 最小销售单元产品标识 (UDI-DI)
    "cpbsbmtxmc",  # 产品标识编码体系名称 (GS1)
    "zxxsdyzsydydsl",  # 最小销售单元中使用单元的数量
    "cpmctymc",  # 产品名称/通用名称
    "spmc",  # 商品名称
    "ggxh",  # 规格型号
    "sfwblztlcp",  # 是否为包类/组套类产品
    "cpms",  # 产品描述
    "cphhhbh",  # 产品货号或编号
    "qxlb",  # 器械类别
    "tyshxydm",  # 统一社会信用代码
    "zczbhhzbapzbh",  # 注册证编号或者备案凭证编号
    "ylqxzcrbarmc",  # 医疗器械注册人/备案人名称
    "scbssfbhph",  # 生产标识是否包含批号
    "scbssfbhxlh",  # 生产标识是否包含序列号
    "scbssfbhscrq",  # 生产标识是否包含生产日期
    "scbssfbhsxrq",  # 生产标识是否包含失效日期
)
NMPA_REQUIRED = ("zxxsdycpbs", "cpbsbmtxmc", "cpmctymc", "ggxh", "ylqxzcrbarmc")
NMPA_YES, NMPA_NO = "是", "否"

EUDAMED_COLUMNS = (
    "basicUDIIdentifier",
    "DICode",
    "issuingEntityCode",
    "tradeName",
    "referenceNumber",
    "riskClass",
    "productionIdentifier",
    "implantable",
    "manufacturerName",
    "quantityOfDevice",
    "status",
)
EUDAMED_REQUIRED = ("DICode", "issuingEntityCode", "tradeName", "productionIdentifier")
EUDAMED_PRODUCTION_IDENTIFIERS = (
    "BATCH_NUMBER",
    "SERIALISATION_NUMBER",
    "MANUFACTURING_DATE",
    "EXPIRATION_DATE",
)
EUDAMED_STATUS_ON_MARKET = "ON_THE_MARKET"
