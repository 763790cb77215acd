"""What an AppTest run shows a reader, as one text: shared by the AppTest modules."""

from __future__ import annotations

import re
from html import unescape

from streamlit.testing.v1 import AppTest


def shown_text(at: AppTest) -> str:
    """Titles, headings, markdown, captions, alerts and st.html blocks (tags removed), markdown escapes undone."""
    parts = [t.value for t in at.title] + [h.value for h in at.header] + [s.value for s in at.subheader]
    parts += [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in (*at.info, *at.warning, *at.error, *at.success)]
    parts += [re.sub(r"<[^>]+>", " ", h.proto.body) for h in at.get("html")]
    return unescape("\n".join(parts).replace("\\", ""))
