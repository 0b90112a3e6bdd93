"""web/options.option_tags: the people pickers' <option> elements written in one call, escaped once,
with `selected` on the chosen values (as the Jinja loops they replace wrote them)."""
from __future__ import annotations

from markupsafe import Markup

from web.options import option_tags

PEOPLE = [{"value": "zhangsan", "label": "张三"}, {"value": 'a"b<c>', "label": "<script>x</script>&"}]


def test_each_option_is_escaped_with_its_value_in_the_label():
    html = option_tags(PEOPLE)
    assert isinstance(html, Markup)
    assert html == ('<option value="zhangsan">张三 · zhangsan</option>'
                    '<option value="a&quot;b&lt;c&gt;">&lt;script&gt;x&lt;/script&gt;&amp; · a&quot;b&lt;c&gt;</option>')


def test_selected_is_one_value_or_a_list_and_nothing_when_absent():
    assert option_tags(PEOPLE, "zhangsan").count(" selected") == 1
    assert '<option value="zhangsan" selected>' in option_tags(PEOPLE, ["zhangsan", 'a"b<c>'])
    assert option_tags(PEOPLE, ["zhangsan", 'a"b<c>']).count(" selected") == 2
    assert " selected" not in option_tags(PEOPLE, None) + option_tags(PEOPLE, []) + option_tags(PEOPLE, "nobody")
    assert " selected" not in option_tags(PEOPLE, "zhang")  # a whole value, not a part of one


def test_the_mention_list_shows_the_label_only():
    assert option_tags(PEOPLE[:1], show_value=False) == '<option value="zhangsan">张三</option>'
