"""Staff-entered titles in widget labels are escaped where Markdown would format them, and only there."""
import pytest

from ui.documents import plain_label


@pytest.mark.parametrize("text, label", [
    ("roof-inspection.pdf", "roof-inspection.pdf"),
    ("**bold** _it_", "\\*\\*bold\\*\\* \\_it\\_"),
    ("[link](http://x)", "\\[link\\](http://x)"),
    (":red[alarm]", ":red\\[alarm\\]"),
    ("$x$", "\\$x\\$"),
    ("# Heading", "\\# Heading"),
    ("- item", "\\- item"),
    ("12. point", "12\\. point"),
    ("<b>html</b>", "\\<b\\>html\\</b\\>"),
])
def test_plain_label_escapes_only_formatting_characters(text, label):
    assert plain_label(text) == label
