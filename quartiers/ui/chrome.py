"""What every page shares: language, map frame title, presentation mode, print and contrast styles."""

from __future__ import annotations

import streamlit as st

from quartiers.maps import MAP_TITLE


def page_language() -> None:
    """RGAA: the page is in French and the map frame has a title (Streamlit sets neither)."""
    st.html(
        "<script>(function(){var d=window.parent&&window.parent.document?window.parent.document:document;"
        "d.documentElement.lang='fr';if(d.__titreCarte)return;d.__titreCarte=true;"
        f"var t={MAP_TITLE!r};"
        "function fix(){d.querySelectorAll('iframe').forEach(function(f){"
        "if((f.title||'').indexOf('folium')>=0||(f.src||'').indexOf('folium')>=0){f.title=t;}});}"
        "fix();new MutationObserver(fix).observe(d.body,{childList:true,subtree:true});})();</script>",
        unsafe_allow_javascript=True,
    )


def _on_presentation() -> None:
    if st.session_state.get("presentation_toggle"):
        st.query_params["presentation"] = "1"
    elif "presentation" in st.query_params:
        del st.query_params["presentation"]


def presentation_toggle() -> None:
    """Large type and high contrast for projection in public meetings, kept in the URL."""
    on = st.query_params.get("presentation") == "1"
    st.sidebar.toggle(
        "Mode présentation (grands caractères)", value=on, key="presentation_toggle", on_change=_on_presentation
    )
    if on:
        st.html(
            "<style>[data-testid='stMain'] :is(.stMarkdown, .stMarkdown p, li, label, .stAlert) "
            "{ font-size: 1.35rem !important; }"
            "[data-testid='stMain'] h1 { font-size: 2.6rem !important; } "
            "[data-testid='stMain'] h2 { font-size: 2.1rem !important; } "
            "[data-testid='stMain'] h3 { font-size: 1.7rem !important; }"
            ".stApp, [data-testid='stCaptionContainer'] p { background: #ffffff; color: #000000 !important; }</style>"
        )


def page_styles() -> None:
    """RGAA contrast (Streamlit's grey captions are about 3.7:1: darkened to 7:1) and print rules."""
    st.html(
        "<style>[data-testid='stCaptionContainer'], [data-testid='stCaptionContainer'] p "
        "{ color: #4a4a4a !important; } "
        "@media print { [data-testid='stSidebar'], header, [data-testid='stToolbar'], "
        ".stDownloadButton, .stButton { display: none !important; } "
        "[data-testid='stExpanderDetails'] { display: block !important; } }</style>"
    )
