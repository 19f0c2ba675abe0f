"""What Word and WPS documents really contain, beyond python-docx: the parser reads what Word displays.

Each document is the generated form with one real-world feature written into
its XML, and each is also saved by LibreOffice (.odt and back to .docx) so the
parser is proven on a real office suite's markup, not only on ours.
"""

from __future__ import annotations

import copy
import io

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from ingest.samples.forms import CASE_PRACTICE, build_case_form, build_project_form
from tests.support.office import have_libreoffice, office_save
from parsers.word import read_word

UNIT = "杭州市西湖区社区学院"
MC = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
WPS = 'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"'
V = 'xmlns:v="urn:schemas-microsoft-com:vml"'


def _doc(data: bytes):
    return docx.Document(io.BytesIO(data))


def _save(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _value_cell(document, label: str, offset: int = 1):
    """The cell `offset` places right of the cell whose text is `label`."""
    for table in document.tables:
        for row in table.rows:
            tcs = row._tr.findall(qn("w:tc"))
            for i, tc in enumerate(tcs):
                if "".join(t.text or "" for t in tc.iter(qn("w:t"))) == label:
                    return tcs[i + offset]
    raise LookupError(label)


def _set_runs(tc, xml_runs: str) -> None:
    """Replace the first paragraph's runs of a cell by raw WordprocessingML."""
    p = tc.find(qn("w:p"))
    for r in p.findall(qn("w:r")):
        p.remove(r)
    for element in parse_xml(f"<w:p {nsdecls('w', 'w14')} {MC} {WPS} {V}>{xml_runs}</w:p>"):
        p.append(element)


def tracked_changes() -> bytes:
    """负责人 changed from 张三 to 王建华 with revisions on; an old contact row deleted."""
    d = _doc(build_case_form())
    _set_runs(_value_cell(d, "负责人"), '<w:del w:id="1" w:author="李晓梅" w:date="2022-04-18T09:00:00Z">'
              '<w:r><w:delText>张三</w:delText></w:r></w:del><w:ins w:id="2" w:author="李晓梅" '
              'w:date="2022-04-18T09:00:00Z"><w:r><w:t>王建华</w:t></w:r></w:ins>')
    row = _value_cell(d, "联系人", 0).getparent()
    old = copy.deepcopy(row)
    for t in old.iter(qn("w:t")):
        t.text = {"李晓梅": "赵旧人", "0571-87654321": "0571-11111111"}.get(t.text, t.text)
    old.insert(0, parse_xml(f'<w:trPr {nsdecls("w")}><w:del w:id="3" w:author="李晓梅" '
                            'w:date="2022-04-18T09:00:00Z"/></w:trPr>'))
    row.addnext(old)
    return _save(d)


def _sdt(inner: str, placeholder: bool) -> str:
    flag = "<w:showingPlcHdr/>" if placeholder else ""
    return (f'<w:sdt><w:sdtPr><w:alias w:val="填写"/>{flag}<w:text/></w:sdtPr><w:sdtContent><w:r>'
            f'<w:rPr><w:rStyle w:val="PlaceholderText"/></w:rPr><w:t>{inner}</w:t></w:r></w:sdtContent></w:sdt>')


def content_controls(contact: str | None) -> bytes:
    """Values typed into content controls; 联系人 left as the grey prompt when `contact` is None."""
    d = _doc(build_case_form())
    _set_runs(_value_cell(d, "申报单位"), _sdt(UNIT, placeholder=False))
    _set_runs(_value_cell(d, "联系人"), _sdt(contact or "单击或点击此处输入文字。", placeholder=contact is None))
    _set_runs(_value_cell(d, "负责人", 3), _sdt("Click or tap here to enter text.", placeholder=False))
    return _save(d)


def text_boxes() -> bytes:
    """A paragraph-style form whose 申报单位 line sits in a text box, written twice (Choice and Fallback)."""
    d = _doc(build_case_form(layout="paragraph", omit=["申报单位"]))
    p = next(p for p in d.paragraphs if p.text.startswith("申报单位"))
    for r in p._p.findall(qn("w:r")):
        p._p.remove(r)
    box = f'<w:txbxContent><w:p><w:r><w:t>申报单位：{UNIT}</w:t></w:r></w:p></w:txbxContent>'
    run = parse_xml(
        f'<w:r {nsdecls("w", "wp", "a")} {MC} {WPS} {V}><mc:AlternateContent><mc:Choice Requires="wps">'
        '<w:drawing><wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="1" '
        'behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
        '<wp:positionH relativeFrom="column"><wp:posOffset>0</wp:posOffset></wp:positionH>'
        '<wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>'
        '<wp:extent cx="4000000" cy="400000"/><wp:wrapTopAndBottom/><wp:docPr id="9" name="文本框 9"/>'
        '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f'<wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="4000000" cy="400000"/>'
        f'</a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></wps:spPr><wps:txbx>{box}</wps:txbx>'
        '<wps:bodyPr/></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>'
        f'<mc:Fallback><w:pict><v:shape style="width:315pt;height:31.5pt"><v:textbox>{box}</v:textbox></v:shape>'
        '</w:pict></mc:Fallback></mc:AlternateContent></w:r>')
    p._p.append(run)
    return _save(d)


def nested_table() -> bytes:
    """授课人 and 单位及职务 written in a small table nested inside the value cell."""
    d = _doc(build_project_form(omit=["授课人"]))
    cell = _value_cell(d, "授课人")
    nested = parse_xml(
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid><w:gridCol w:w="2000"/>'
        '</w:tblGrid><w:tr><w:tc><w:tcPr><w:tcW w:w="2000" w:type="dxa"/></w:tcPr><w:p><w:r><w:t>陈晓燕</w:t></w:r>'
        '</w:p></w:tc></w:tr></w:tbl>')
    cell.insert(len(cell) - 1, nested)
    return _save(d)


def merged_label_rows() -> bytes:
    """主要做法's label merged down over a second row that holds the rest of its text."""
    d = _doc(build_case_form(practice="一是开设固定课堂。"))
    label_tc = _value_cell(d, "主要做法（1500字以内）", 0)
    row = label_tc.getparent()
    more = copy.deepcopy(row)
    tcs = more.findall(qn("w:tc"))  # [案例内容 merged from above, 主要做法, value]
    for p in tcs[1].findall(qn("w:p")):
        for r in p.findall(qn("w:r")):
            p.remove(r)
    tcs[1].get_or_add_tcPr().append(parse_xml(f'<w:vMerge {nsdecls("w")}/>'))
    for t in tcs[2].iter(qn("w:t")):
        t.text = "二是组织流动课堂进小区。"
    label_tc.getnext().get_or_add_tcPr().append(parse_xml(f'<w:vMerge {nsdecls("w")} w:val="restart"/>'))
    row.addnext(more)
    return _save(d)


def two_tables() -> bytes:
    """The form split over two pages: a second table after a page break, 主要做法 running on into it."""
    d = _doc(build_case_form())
    table = d.tables[0]._tbl
    rows = table.findall(qn("w:tr"))
    cut = next(i for i, tr in enumerate(rows) if "主要做法" in "".join(t.text or "" for t in tr.iter(qn("w:t"))))
    second = copy.deepcopy(table)
    for tr in second.findall(qn("w:tr"))[:cut + 1]:
        second.remove(tr)
    for tr in rows[cut + 1:]:
        table.remove(tr)
    value = rows[cut].findall(qn("w:tc"))[-1]
    paragraphs = value.findall(qn("w:p"))
    carried = parse_xml(f'<w:tr {nsdecls("w")}><w:tc><w:tcPr><w:gridSpan w:val="4"/></w:tcPr></w:tc></w:tr>')
    for p in paragraphs[2:]:
        value.remove(p)
        carried[0].append(p)
    second.insert(list(second).index(second.find(qn("w:tr"))), carried)
    brk = parse_xml(f'<w:p {nsdecls("w")}><w:r><w:br w:type="page"/></w:r></w:p>')
    table.addnext(brk)
    brk.addnext(second)
    return _save(d)


CASES = {
    "tracked": tracked_changes,
    "controls": lambda: content_controls("李晓梅"),
    "prompt": lambda: content_controls(None),
    "textbox": text_boxes,
    "nested": nested_table,
    "merged": merged_label_rows,
    "pages": two_tables,
}


@pytest.fixture(scope="module", params=["python-docx", "libreoffice"])
def documents(request):
    built = {f"{name}.docx": make() for name, make in CASES.items()}
    if request.param == "python-docx":
        return built
    if not have_libreoffice():
        pytest.skip("LibreOffice (libreoffice-writer-nogui) not installed")
    return office_save(built, "docx")  # .docx -> .odt -> .docx, as LibreOffice writes it


def _form(documents, name: str):
    return read_word(documents[f"{name}.docx"], f"{UNIT}+{name}.docx").form


def test_tracked_changes_read_the_inserted_text_not_the_deleted(documents):
    form = _form(documents, "tracked")
    assert form.fields["负责人"] == "王建华"
    assert (form.fields["联系人"], form.fields["联系人联系电话"]) == ("李晓梅", "0571-87654321")
    assert "张三" not in form.text


def test_a_table_row_deleted_with_tracked_changes_is_not_read():
    form = read_word(tracked_changes(), "西湖区+案例.docx").form  # LibreOffice 7.4 drops a row's revision on save
    assert "赵旧人" not in form.text and form.fields["联系人"] == "李晓梅"


def test_values_inside_content_controls_are_values(documents, request):
    if "libreoffice" in request.node.callspec.id:
        pytest.skip("LibreOffice 7.4 writes a content control's value several times into .docx (as input fields)")
    fields = _form(documents, "controls").fields
    assert (fields["申报单位"], fields["联系人"]) == (UNIT, "李晓梅")


def test_a_content_control_showing_its_grey_prompt_is_empty(documents):
    fields = _form(documents, "prompt").fields
    assert fields["联系人"] == "" and fields["负责人联系电话"] == ""
    assert fields["负责人"] == "王建华"


def test_a_label_and_value_in_a_text_box_are_read_once(documents):
    form = _form(documents, "textbox")
    assert form.unit == UNIT
    assert form.text.count(f"申报单位：{UNIT}") == 1


def test_a_value_in_a_nested_table_belongs_to_its_cell(documents):
    assert _form(documents, "nested").fields["授课人"] == "陈晓燕"


def test_a_label_merged_over_two_rows_keeps_both_rows_text(documents):
    practice = _form(documents, "merged").fields["主要做法"]
    assert practice == "一是开设固定课堂。\n二是组织流动课堂进小区。"


def test_a_form_continued_in_a_second_table_keeps_every_field(documents):
    fields = _form(documents, "pages").fields
    assert fields["主要做法"] == CASE_PRACTICE
    assert fields["经验效果"] and "申报单位意见" in fields and fields["负责人"] == "王建华"
