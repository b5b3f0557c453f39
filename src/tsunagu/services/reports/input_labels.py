"""Labels, help and units of the evaluator input form, in Japanese and English.

One entry per input of `inputs.py` (the documented template ``evaluator_input.ja.yaml``), grouped
as the form shows them; each help text says where the report uses the input.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["COMPANY", "EVALUATOR_KEYS", "FORECAST_ROW", "GROUPS", "TABLES", "Group", "Label", "Table"]


@dataclass(frozen=True)
class Label:
    """A field's label, help and unit in both languages; ``kind`` says which control to show."""

    ja: str
    en: str
    help_ja: str = ""
    help_en: str = ""
    kind: str = "text"  # text | textarea | lines | rate | int | amount | select
    unit_ja: str = ""
    unit_en: str = ""
    placeholder: str = ""
    maxlength: int = 300

    def text(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en

    def help_text(self, lang: str) -> str:
        return self.help_ja if lang == "ja" else self.help_en

    def unit_text(self, lang: str) -> str:
        return self.unit_ja if lang == "ja" else self.unit_en


@dataclass(frozen=True)
class Group:
    """A fieldset of the form; ``error_path`` names document errors shown on the group itself."""

    id: str
    label: Label
    fields: tuple[tuple[str, Label], ...] = ()
    error_path: str = ""


@dataclass(frozen=True)
class Table:
    """Repeated rows: field names are ``<prefix>[<row>].<column>`` (``<prefix>[<row>]`` for ``""``)."""

    prefix: str
    label: Label
    columns: tuple[tuple[str, Label], ...]
    min_rows: int = 3


EVALUATOR_KEYS = ("name", "organization", "date")

COMPANY: tuple[tuple[str, Label], ...] = (
    (
        "name",
        Label(
            "企業名",
            "Company name",
            "登録簿にも出願人にもない企業は、ここに書いた名前で評価書を作ります。",
            "A company in neither the register nor the patents gets its report under this name.",
        ),
    ),
    ("address", Label("所在地", "Address")),
    ("region", Label("地域", "Region", placeholder="神奈川県")),
    ("representative", Label("代表者", "Representative")),
    ("founded", Label("設立", "Founded", placeholder="1985年")),
    ("employees", Label("従業員数", "Employees", unit_ja="人", unit_en="people", placeholder="45")),
    ("capital", Label("資本金", "Capital", placeholder="3,000万円")),
    ("industry", Label("業種", "Industry", placeholder="精密加工")),
    (
        "business",
        Label(
            "事業概要",
            "Business description",
            "主な事業・強み・沿革。2. 企業概要・事業概要に評価者記入として載ります。",
            "Main business, strengths, history; shown in section 2 as stated by the evaluator.",
            "textarea",
            maxlength=5000,
        ),
    ),
    ("main_customers", Label("主要取引先", "Main customers")),
)

GROUPS: tuple[Group, ...] = (
    Group(
        "evaluator",
        Label(
            "評価者",
            "Evaluator",
            "表紙と評価者欄に載ります。",
            "Shown on the cover and in the evaluator box.",
        ),
        (
            ("evaluator.name", Label("評価者名", "Evaluator name", placeholder="山田 太郎", maxlength=200)),
            (
                "evaluator.organization",
                Label("所属機関", "Organisation", placeholder="○○信用金庫 融資部", maxlength=200),
            ),
            (
                "evaluator.date",
                Label(
                    "評価日",
                    "Evaluation date",
                    "YYYY-MM-DD。空欄なら作成日です。",
                    "YYYY-MM-DD; the report date when blank.",
                    placeholder="2026-04-01",
                    maxlength=40,
                ),
            ),
        ),
    ),
    Group(
        "company",
        Label(
            "企業概要 (2.)",
            "Company overview (2.)",
            "企業登録簿の内容に追記・上書きします。空欄は登録簿の内容か「未入力」になります。",
            "Adds to or overrides the register; blanks show the register's value or 'not provided'.",
        ),
        tuple((f"company.{k}", label) for k, label in COMPANY),
    ),
    Group(
        "assessment",
        Label(
            "事業と所見",
            "Business and findings",
            "聞き取りに基づく記入です。評価書では機械推定と区別して「評価者記入」と表示されます。",
            "From your interviews; the report shows them apart from machine inferences, as stated by the evaluator.",
        ),
        (
            (
                "know_how",
                Label(
                    "技術・ノウハウ",
                    "Technology and know-how",
                    "特許のない企業では主な材料になり、他分野での用途の候補の検索にも使います。",
                    "The main material for a company without patents; also used to look for uses in other fields.",
                    "textarea",
                    maxlength=10000,
                ),
            ),
            (
                "summary",
                Label(
                    "総括",
                    "Overall view",
                    "1. 評価結果の要約に載ります。",
                    "Shown in section 1, the summary.",
                    "textarea",
                    maxlength=5000,
                ),
            ),
            (
                "strengths",
                Label(
                    "強み (1行に1件)",
                    "Strengths (one per line)",
                    "5. 強み・弱みに載ります。",
                    "Shown in section 5.",
                    "lines",
                    maxlength=5000,
                ),
            ),
            (
                "weaknesses",
                Label(
                    "弱み (1行に1件)",
                    "Weaknesses (one per line)",
                    "5. 強み・弱みに載ります。",
                    "Shown in section 5.",
                    "lines",
                    maxlength=5000,
                ),
            ),
            (
                "market",
                Label(
                    "市場・競合の所見",
                    "Market and competitors",
                    "6. 市場・競合に載ります。",
                    "Shown in section 6.",
                    "textarea",
                    maxlength=5000,
                ),
            ),
            (
                "outlook",
                Label(
                    "今後の展望の所見",
                    "Outlook",
                    "7. 今後の展望・成長性に載ります。",
                    "Shown in section 7.",
                    "textarea",
                    maxlength=5000,
                ),
            ),
        ),
    ),
    Group(
        "products",
        Label(
            "製品・事業と関係する権利 (4.)",
            "Products and the rights they use (4.)",
            "製品ごとに関係する特許番号を書くと、4. 知的財産と事業の関係に評価者記入として載ります。説明は権利候補の提案にも使います。",
            "Patent numbers per product go into section 4 as stated by the evaluator; the description is also used to suggest related rights.",
        ),
    ),
    Group(
        "issues",
        Label(
            "経営課題 (提案書)",
            "Business issues (proposal)",
            "知財ビジネス提案書で、課題ごとに解決策を示します。分類を選ばなければ課題の文から判定します。",
            "The proposal maps each issue to a solution; without a category it is inferred from the text.",
        ),
    ),
    Group(
        "qualitative",
        Label(
            "定性評価 (8.)",
            "Qualitative evaluation (8.)",
            "項目ごとの評価とコメントです。記入のない項目は「未入力」と表示されます。",
            "A rating and comment per item; items left blank show 'not provided'.",
        ),
    ),
    Group(
        "valuation",
        Label(
            "定量評価: ロイヤルティ免除法 (9.・任意)",
            "Relief-from-royalty valuation (9., optional)",
            "価値 = Σ 売上予測ₜ × ロイヤルティ料率 ÷ (1 + 割引率)ᵗ (t = 1…期間)。既定値はなく、料率・売上予測・割引率・期間の4項目すべてがあるときだけ計算します。参考値であり取引価格ではありません。",
            "Value = Σ revenueₜ × royalty rate ÷ (1 + discount rate)ᵗ for t = 1…period. There are no defaults: it is computed only when all four (rate, forecast, discount rate, period) are given. A reference value, not a price.",
        ),
        (
            (
                "valuation.royalty_rate",
                Label(
                    "ロイヤルティ料率",
                    "Royalty rate",
                    "売上に対する料率をパーセントで (3 = 3%)。",
                    "Share of revenue, in percent (3 = 3%).",
                    "rate",
                    "%",
                    "%",
                    "3",
                    20,
                ),
            ),
            (
                "valuation.discount_rate",
                Label(
                    "割引率",
                    "Discount rate",
                    "年率をパーセントで (10 = 10%)。将来の額を現在価値に割り引きます。",
                    "Yearly rate in percent (10 = 10%), discounting future amounts to today.",
                    "rate",
                    "%",
                    "%",
                    "10",
                    20,
                ),
            ),
            (
                "valuation.period",
                Label(
                    "評価期間",
                    "Period",
                    "売上予測はこの年数以上必要です。",
                    "The forecast needs at least this many years.",
                    "int",
                    "年",
                    "years",
                    "5",
                    3,
                ),
            ),
            (
                "valuation.unit",
                Label(
                    "金額の単位",
                    "Amount unit",
                    "売上予測の単位。評価書で金額の横に示します。",
                    "Unit of the forecast figures, shown beside them.",
                    placeholder="千円",
                    maxlength=20,
                ),
            ),
            (
                "valuation.currency",
                Label(
                    "通貨",
                    "Currency",
                    "空欄なら JPY です。",
                    "JPY when blank.",
                    placeholder="JPY",
                    maxlength=10,
                ),
            ),
            (
                "valuation.basis",
                Label(
                    "料率・割引率の根拠",
                    "Basis for the rates",
                    "出典など。評価書に計算の前提として載ります。",
                    "Sources etc.; shown with the calculation.",
                    "textarea",
                    maxlength=2000,
                ),
            ),
        ),
        error_path="valuation",
    ),
    Group(
        "legal_status",
        Label(
            "確認済みの権利の状態",
            "Confirmed legal status",
            "確認した状態は「評価者記入」として、機械推定 (理論上の満了日) より優先して表示されます。",
            "A status you confirmed is shown as stated by the evaluator, before the machine's theoretical expiry.",
        ),
    ),
    Group(
        "notes",
        Label(
            "追加の節 (機関独自テンプレート)",
            "Additional sections (institution templates)",
            "機関独自テンプレートの節 id ごとの本文です。標準の評価書では使いません。",
            "Text per section id of an institution's own template; the standard report does not use it.",
        ),
    ),
)

FORECAST_ROW = Label("{n}年目", "year {n}")

TABLES: dict[str, Table] = {
    "products": Table(
        "products",
        Label("製品・事業", "Product"),
        (
            ("name", Label("製品・事業名", "Name", maxlength=200)),
            ("description", Label("説明", "Description", maxlength=2000)),
            (
                "patents",
                Label(
                    "関係する特許番号 (カンマ区切り)",
                    "Patent numbers (comma-separated)",
                    placeholder="JP2005346371A",
                    maxlength=2000,
                ),
            ),
        ),
    ),
    "issues": Table(
        "issues",
        Label("課題", "Issue"),
        (
            ("text", Label("課題の内容", "Issue", maxlength=2000)),
            ("category", Label("分類", "Category", kind="select")),
        ),
    ),
    "qualitative": Table(
        "qualitative",
        Label("定性評価", "Qualitative"),
        (
            ("rating", Label("評価", "Rating", kind="select")),
            ("comment", Label("コメント", "comment", maxlength=1000)),
        ),
        min_rows=0,
    ),
    "valuation": Table(
        "valuation.revenue_forecast",
        Label(
            "売上予測",
            "Revenue forecast",
            "対象製品の売上予測を1年ごとに (単位は「金額の単位」欄)。",
            "Forecast revenue of the products using the rights, one value per year (in the amount unit).",
            "amount",
        ),
        (("", Label("売上予測", "Revenue forecast", kind="amount", placeholder="120000", maxlength=30)),),
        min_rows=10,
    ),
    "legal_status": Table(
        "legal_status",
        Label("権利の状態", "Status"),
        (
            ("number", Label("特許番号", "Number", placeholder="JP4400316B2", maxlength=100)),
            ("status", Label("状態", "Status", placeholder="登録・存続中", maxlength=200)),
        ),
        min_rows=2,
    ),
    "notes": Table(
        "notes",
        Label("追加の節", "Section"),
        (
            ("id", Label("節 id", "Section id", maxlength=100)),
            ("text", Label("本文", "Text", maxlength=5000)),
        ),
        min_rows=1,
    ),
}
