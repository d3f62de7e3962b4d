"""Issuers (机关代字) and issued demo documents: one of every kind the system issues
(批复, 通知, 决定, 通报, 公示, 函, and a joint 通知 of two bureaus), one with the 版头's
份号, 密级 and 紧急程度, bodies ending on odd and on even pages. Idempotent (by title)."""

from dataclasses import dataclass, field

from django.db import transaction

from workflows.models import Role, Unit, UnitKind
from workflows.units import ensure_plan_units

from .models import Issuer, OfficialDocument

GOV_OFFICE_CODE = "gov-office"

# unit code -> (机关代字, 发文机关全称, 印发机关)
ISSUERS = {
    "edu": ("台教", "台州市教育局", "台州市教育局办公室"),
    "hrss": ("台人社", "台州市人力资源和社会保障局", "台州市人力资源和社会保障局办公室"),
    "finance": ("台财", "台州市财政局", "台州市财政局办公室"),
    "ndrc": ("台发改", "台州市发展和改革委员会", "台州市发展和改革委员会办公室"),
    "office": (
        "台职技融通办",
        "台州市职技融通改革工作领导小组办公室",
        "台州市职技融通改革工作领导小组办公室",
    ),
    GOV_OFFICE_CODE: ("台政办", "台州市人民政府办公室", "台州市人民政府办公室"),
}


@transaction.atomic
def ensure_issuers() -> dict[str, Issuer]:
    """The plan's bureaus, the office and 台州市人民政府办公室 (issuer of the plan itself)."""
    ensure_plan_units()
    Unit.objects.update_or_create(
        code=GOV_OFFICE_CODE,
        defaults={
            "name": "市政府办公室",
            "full_name": "台州市人民政府办公室",
            "kind": UnitKind.GOVERNMENT,
            "sort_order": 90,
        },
    )
    issuers = {}
    for unit_code, (code, mark_name, printer) in ISSUERS.items():
        unit = Unit.objects.get(code=unit_code)
        issuers[unit_code], _ = Issuer.objects.update_or_create(
            unit=unit, defaults={"code": code, "mark_name": mark_name, "printer": printer}
        )
    return issuers


@dataclass(frozen=True)
class DemoDocument:
    issuers: tuple[str, ...]  # unit codes, the lead first
    kind: str
    title: str
    addressees: tuple[str, ...]
    text: str  # docs_gen.text.blocks_from_text
    cc: tuple[str, ...] = ()
    note: str = ""
    attachments: str = ""  # docs_gen.text.attachments_from_text
    series: str = "发"
    header: dict = field(default_factory=dict)  # copy_number, secrecy, secrecy_term, urgency


_PLAN = "《台州市职技融通改革实施方案》（台政办发〔2022〕11号）"

DEMO_DOCUMENTS = [
    # 通知: the body ends on page 1, the 版记 goes to page 2
    DemoDocument(
        ("edu",),
        "notice",
        "台州市教育局关于公布2024年职技融通改革试点院校名单的通知",
        ("各县（市、区）教育局", "市直各职业院校"),
        f"根据{_PLAN}要求，经学校申报、专家评审和公示，现将2024年职技融通改革试点院校名单公布如下。\n\n"
        "一、试点院校\n\n台州市第一职业技术学院、台州市第一技师学院等学校列为试点院校。\n\n"
        "二、工作要求\n\n（一）落实改革任务。各试点院校要认真落实学分互认、证书互通等改革任务，按季度报送工作进展。\n\n"
        "特此通知。",
        ("市人力社保局", "市财政局"),
        "此件公开发布",
    ),
    # 批复: page 1
    DemoDocument(
        ("hrss",),
        "reply",
        "台州市人力资源和社会保障局关于同意台州市第一职业技术学校加挂台州市第一技师学院牌子的批复",
        ("台州市第一职业技术学校",),
        "你校《关于申请加挂技师学院牌子的请示》收悉。经研究，现批复如下：\n\n"
        "一、同意你校按程序加挂“台州市第一技师学院”牌子。\n\n"
        f"二、请你校按照{_PLAN.split('（')[0]}要求，完善管理制度，统筹做好招生、教学和学籍管理工作。\n\n此复。",
        ("市教育局",),
    ),
    # 联合行文 (通知 of both bureaus, the education bureau leading): the body ends on page 2
    DemoDocument(
        ("edu", "hrss"),
        "notice",
        "台州市教育局 台州市人力资源和社会保障局关于开展学历证书与职业技能等级证书互通试点的通知",
        ("各县（市、区）教育局、人力社保局", "市直各职业院校"),
        f"为贯彻落实{_PLAN}，推进职业教育与技工教育融通发展，市教育局、市人力社保局决定在全市职业院校和技工院校开展学历证书与职业技能等级证书互通衔接试点。现将有关事项通知如下。\n\n"
        "一、试点内容\n\n"
        "（一）学分互认。试点院校建立学历教育课程与职业技能等级标准的对应关系，学生取得的职业技能等级证书可按规定折算相应课程学分，技工院校学生修读的文化课程可按规定认定为中职学历教育学分。\n\n"
        "（二）证书互通。中职学校、技工学校毕业生取得中级工以上职业技能等级证书的，在升学、就业中享受同等待遇。\n\n"
        "二、试点安排\n\n"
        "试点期为2024年9月至2025年8月。各试点院校于2024年7月31日前制定试点方案，报市教育局、市人力社保局备案。\n\n"
        "三、工作要求\n\n"
        "各地教育、人力社保部门要加强协同，确保试点有序推进。",
        ("市财政局", "市职技融通改革工作领导小组办公室"),
        "此件公开发布",
    ),
    # 决定, with its 附件 (a table): the attachment ends on page 2, the 版记 under it
    DemoDocument(
        ("edu",),
        "decision",
        "台州市教育局关于表彰2024年全市职业院校技能大赛优秀指导教师的决定",
        ("各县（市、区）教育局", "市直各职业院校"),
        "2024年全市职业院校技能大赛于5月顺利举办，全市28所职业院校的1260名选手参加了46个赛项的比赛。广大指导教师潜心钻研、精心指导，为大赛取得优异成绩作出了积极贡献。为表彰先进，市教育局决定，授予王建华等10名教师“2024年全市职业院校技能大赛优秀指导教师”称号。\n\n"
        "希望受表彰的教师珍惜荣誉，再接再厉。全市职业院校教师要以先进为榜样，深化产教融合、校企合作，为培养高素质技术技能人才作出新的更大贡献。",
        ("市人力社保局",),
        attachments="附件：2024年全市职业院校技能大赛优秀指导教师名单\n"
        "序号 | 姓名 | 单位 | 指导赛项\n"
        "1 | 王建华 | 台州市第一职业技术学院 | 数控综合应用技术\n"
        "2 | 李晓燕 | 台州市第一技师学院 | 工业机器人技术应用\n"
        "3 | 张伟 | 台州市第一中等职业学校 | 汽车营销\n"
        "4 | 陈静 | 台州市第二中等职业学校 | 电子商务\n"
        "5 | 刘洋 | 台州市第二职业技术学院 | 模具数字化设计与制造\n"
        "6 | 杨帆 | 台州市第一高级技工学校 | 电工\n"
        "7 | 赵磊 | 台州市第三中等职业学校 | 烹饪（中餐热菜）\n"
        "8 | 黄丽 | 台州市第二技师学院 | 数字孪生应用技术\n"
        "9 | 周杰 | 台州市第一技工学校 | 焊接技术\n"
        "10 | 吴敏 | 台州市第二高级技工学校 | 智能制造设备技术",
    ),
    # 通报: the body runs to page 3 (odd): the 版记 goes to page 4
    DemoDocument(
        ("office",),
        "bulletin",
        "台州市职技融通改革工作领导小组办公室关于2024年上半年职技融通改革重点任务推进情况的通报",
        ("市级各有关部门", "各县（市、区）人民政府", "市直各职业院校、技工院校"),
        f"按照{_PLAN}和领导小组工作安排，市职技融通改革工作领导小组办公室对2024年上半年17项重点任务推进情况进行了督查。现将有关情况通报如下。\n\n"
        "一、总体进展\n\n"
        "上半年，各责任单位认真履行职责，17项重点任务中已完成4项、按计划推进11项、进度滞后2项，总体进展顺利。学分互认、证书互通、师资互聘等改革举措取得阶段性成效，职业院校与技工院校融通发展的制度框架初步形成。\n\n"
        "二、主要成效\n\n"
        "（一）融通机制逐步健全。市教育局、市人力社保局联合出台学分互认办法，建立职业院校与技工院校课程对应目录，首批12所院校开展试点，累计认定学分2300余个。\n\n"
        "（二）双牌院校建设有序推进。按照“成熟一所、认定一所”的原则，完成2所学校加挂技师学院牌子的审批，加挂学校统筹招生、教学和学籍管理，办学活力进一步增强。\n\n"
        "（三）产教融合持续深化。全市新增产教融合型企业15家，校企共建实训基地28个，订单班、学徒制班招生规模较上年增长18%。\n\n"
        "（四）保障措施落实到位。市财政安排职技融通改革专项资金3000万元，按照绩效评价结果分配；各县（市、区）均建立了职技融通工作协调机制。\n\n"
        "三、存在问题\n\n"
        "一是部分任务进度滞后，中高职一体化课程标准制定和技能人才评价改革两项任务尚未达到时序进度要求；二是部分县（市、区）统筹协调不够，职业院校与技工院校之间的资源共享仍停留在协议层面；三是部分院校佐证材料报送不及时、不完整，影响了督查评估工作。\n\n"
        "四、下步要求\n\n"
        "（一）加快滞后任务推进。进度滞后任务的牵头单位要于7月底前制定整改方案，明确时间节点和责任人，确保年底前完成年度目标。\n\n"
        "（二）强化统筹协调。各县（市、区）要把职技融通改革纳入重要议事日程，定期研究解决改革中的重点难点问题，推动资源共建共享落到实处。\n\n"
        "（三）规范督查报送。各责任单位要于每月20日前通过工作平台报送工作进展，如实上传佐证材料。领导小组办公室将对报送情况进行通报，并将结果纳入年度考核。",
        ("市委办公室", "市人大常委会办公室", "市政协办公室"),
    ),
    # 通知 with 份号, 密级和保密期限 and 紧急程度 in the 版头
    DemoDocument(
        ("edu",),
        "notice",
        "台州市教育局关于做好2024年全市职业院校技能大赛赛题保密工作的通知",
        ("各赛项执委会", "各承办院校"),
        "为确保大赛赛题安全，现就有关事项通知如下。\n\n"
        "一、赛题命制、印制、保管和交接全程专人负责。\n\n"
        "二、赛题启封前须经裁判长和监督员共同查验、签字确认。\n\n"
        "三、发生泄密情况的，立即停止比赛并报告市教育局。",
        ("市公安局",),
        header={"copy_number": "12", "secrecy": "秘密", "secrecy_term": "1年", "urgency": "特急"},
    ),
    # 公示 (no 主送机关)
    DemoDocument(
        ("hrss",),
        "public_notice",
        "台州市人力资源和社会保障局关于2024年度台州市技能大师工作室拟命名名单的公示",
        (),
        "根据《台州市技能大师工作室建设管理办法》，经单位申报、专家评审，拟命名台州市第一技师学院数控技能大师工作室等5个工作室为2024年度台州市技能大师工作室，现予公示。\n\n"
        "公示期为5个工作日。公示期间，任何单位和个人对公示对象有异议的，可以书面形式向市人力社保局职业能力建设处反映。反映情况应实事求是，并提供联系方式。\n\n"
        "联系电话：0576-88000002。",
        note="此件公开发布",
    ),
    # 函 (信函格式: no page number on its first page)
    DemoDocument(
        ("hrss",),
        "letter",
        "台州市人力资源和社会保障局关于商请提供2024届职业院校毕业生就业情况的函",
        ("台州市教育局",),
        "为做好2024年技能人才需求预测和就业服务工作，我局拟对全市职业院校2024届毕业生就业情况进行分析。请贵局协助提供全市职业院校2024届毕业生人数、专业分布及初次就业去向等数据，于2024年9月30日前反馈我局职业能力建设处。\n\n感谢支持！",
        series="函",
    ),
]


def _leader(unit_code: str):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(memberships__unit__code=unit_code, memberships__role=Role.LEADER)
        .order_by("pk")
        .first()
    )


def load_demo_documents() -> None:
    """Issuers, then the demo documents issued by their leaders through the ordinary path
    (会签 by a co-issuer's leader, 签发, number, render queued on commit), each once; a
    document whose issuers have no leader yet is left out."""
    from . import services
    from .text import attachments_from_text, blocks_from_text

    issuers = ensure_issuers()
    for doc in DEMO_DOCUMENTS:
        if OfficialDocument.objects.filter(title=doc.title).exists():
            continue
        leaders = [_leader(code) for code in doc.issuers]
        if None in leaders:
            continue
        services.document_issue_for_decision(
            issuers=[issuers[code].unit for code in doc.issuers],
            signers=leaders,
            kind=doc.kind,
            title=doc.title,
            addressees=list(doc.addressees),
            body=blocks_from_text(doc.text),
            attachments=attachments_from_text(doc.attachments),
            cc=list(doc.cc),
            note=doc.note,
            series=doc.series,
            actor=leaders[0],
            **doc.header,
        )
