"""check_bpmn on input that is not a usable BPMN document: it never raises, it says why."""
from __future__ import annotations

import time

import pytest

from bpmn.checks import check_bpmn, parse_definitions
from core.errors import Problem

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def ok(src: str) -> str | None:
    try:
        compile(src, "<test>", "eval")
    except (SyntaxError, ValueError):
        return "refused"
    return None if "__" not in src else "refused"


def check(xml) -> list[Problem]:
    return check_bpmn(xml, ok, ok)


def one_xml_problem(xml) -> Problem:
    problems = check(xml)
    assert len(problems) == 1, problems
    p = problems[0]
    assert p.rule == "xml" and p.element_id is None and p.message
    return p


def definitions(processes: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="{BPMN}" id="d" '
            f'targetNamespace="http://liuzhuan.test">{processes}</bpmn:definitions>').encode()


@pytest.mark.parametrize("xml", [b"", b"   \n\t ", ""])
def test_empty_input(xml):
    assert "empty" in one_xml_problem(xml).message


def test_malformed_xml_says_where():
    p = one_xml_problem(definitions('<bpmn:process id="p"><bpmn:startEvent id="s"></bpmn:process>'))
    assert "not well-formed" in p.message and "line" in p.message


@pytest.mark.parametrize("xml", [
    bytes(range(256)),
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    b"\xff\xfe<\x00x\x00",
    b'{"json": true}',
    "<a>\u00e9</a".encode("utf-16"),
    b'<?xml version="1.0" encoding="klingon"?><a/>',
])
def test_binary_garbage_and_other_formats(xml):
    one_xml_problem(xml)


@pytest.mark.parametrize("xml", [None, 42, ["<x/>"]])
def test_not_bytes_at_all(xml):
    assert "bytes" in one_xml_problem(xml).message


def test_xxe_file_entity_is_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    xml = (f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>'
           f'<bpmn:definitions xmlns:bpmn="{BPMN}" targetNamespace="t"><bpmn:process id="p">'
           '<bpmn:documentation>&e;</bpmn:documentation><bpmn:startEvent id="s"/></bpmn:process>'
           '</bpmn:definitions>').encode()
    p = one_xml_problem(xml)
    assert "DOCTYPE" in p.message
    assert "TOP-SECRET-MARKER" not in repr(check(xml))


def test_etc_passwd_payload_from_the_brief():
    xml = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
           b'<x>&e;</x>')
    p = one_xml_problem(xml)
    assert "root:" not in p.message and "DOCTYPE" in p.message


def test_external_parameter_entity_is_not_loaded(tmp_path):
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY leak "PARAM-ENTITY-MARKER">')
    xml = (f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY % p SYSTEM "file://{dtd}"> %p;]>'
           f'<bpmn:definitions xmlns:bpmn="{BPMN}" targetNamespace="t">&leak;</bpmn:definitions>').encode()
    problems = check(xml)
    assert problems and all(p.rule == "xml" for p in problems)
    assert "PARAM-ENTITY-MARKER" not in repr(problems)


def test_network_dtd_is_refused():
    xml = (b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://127.0.0.1:9/evil.dtd">'
           b'<bpmn:definitions xmlns:bpmn="' + BPMN.encode() + b'" targetNamespace="t"/>')
    assert "DOCTYPE" in one_xml_problem(xml).message


def test_billion_laughs_is_refused_quickly():
    lol = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    xml = f'<?xml version="1.0"?><!DOCTYPE x [{lol}]><x>&l9;</x>'.encode()
    started = time.perf_counter()
    assert "DOCTYPE" in one_xml_problem(xml).message
    assert time.perf_counter() - started < 2


def test_wrong_root_element():
    p = one_xml_problem(b"<html><body>hello</body></html>")
    assert "<html>" in p.message and "bpmn:definitions" in p.message


def test_definitions_in_the_wrong_namespace():
    p = one_xml_problem(b'<definitions xmlns="http://schema.omg.org/spec/BPMN/2.0" targetNamespace="t"/>')
    assert "http://schema.omg.org/spec/BPMN/2.0" in p.message and BPMN in p.message


def test_dmn_file():
    xml = (b'<?xml version="1.0"?><definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" '
           b'id="d" name="n" namespace="x"><decision id="dec" name="Decide"/></definitions>')
    assert "DMN" in one_xml_problem(xml).message


def test_str_input_is_accepted():
    xml = definitions('<bpmn:process id="p"><bpmn:startEvent id="s"/></bpmn:process>').decode()
    assert check(xml) == []


def test_iso_8859_1_document_is_read():
    xml = ('<?xml version="1.0" encoding="ISO-8859-1"?>'
           f'<bpmn:definitions xmlns:bpmn="{BPMN}" targetNamespace="t"><bpmn:process id="p">'
           '<bpmn:startEvent id="s" name="Début"/></bpmn:process></bpmn:definitions>').encode("iso-8859-1")
    assert check(xml) == []


def test_parse_definitions_returns_the_root_for_bpmn():
    root, problems = parse_definitions(definitions(""))
    assert root is not None and problems == []


# ----------------------------------------------------------------------------- executable processes

BAD_BODY = ('<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>'
            '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e">'
            '<bpmn:conditionExpression>${x}</bpmn:conditionExpression></bpmn:sequenceFlow>')


def test_no_executable_process():
    problems = check(definitions(f'<bpmn:process id="p1" isExecutable="false">{BAD_BODY}</bpmn:process>'
                                 '<bpmn:process id="p2" isExecutable="false"/>'))
    assert problems == [Problem(None, 'no executable process (isExecutable="false" on every process)',
                                "executable")]


def test_no_process_at_all():
    problems = check(definitions(""))
    assert [p.rule for p in problems] == ["executable"]
    assert "no bpmn:process" in problems[0].message


def test_absent_is_executable_is_executable():
    problems = check(definitions(f'<bpmn:process id="p">{BAD_BODY}</bpmn:process>'))
    assert [(p.element_id, p.rule) for p in problems] == [("f", "condition")]


def test_only_executable_processes_are_linted():
    lz_bad = ('<bpmn:userTask id="u2" xmlns:lz="urn:liuzhuan:bpmn:1"><bpmn:extensionElements>'
              '<lz:approval mode="nonsense"/></bpmn:extensionElements></bpmn:userTask>')
    xml = definitions(f'<bpmn:process id="drawing" isExecutable="false">{BAD_BODY}{lz_bad}</bpmn:process>'
                      '<bpmn:process id="run" isExecutable="true"><bpmn:startEvent id="s2"/></bpmn:process>')
    assert check(xml) == []
