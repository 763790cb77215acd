"""What every page shares: language, titles, presentation mode, links that keep it, announcements and styles."""

from __future__ import annotations

import json
from html import escape

import streamlit as st

from quartiers.maps import MAP_HEIGHT_PX, MAP_TITLE, PHONE_MAX_WIDTH_PX

# What is above a map on the first screen, in rem (so that presentation mode's larger rem keeps it right):
# the menu and the page's title, input and gaps. The map takes the rest of the screen's height.
MAP_FIRST_MIN_PX = 320

APP_NAME = "Carte Quartiers 2030"
_PRESENTATION = "presentation"
_PRESENTATION_SESSION = "mode_presentation"

# RGAA / WCAG 2.1 AA: a dark focus ring (about 10:1 on white, 3:1 at least on every background we use).
FOCUS_COLOUR = "#1a3c8f"
# Streamlit shows captions at 60 % opacity (about 3.1:1): plain dark grey instead, 8.9:1 on white.
CAPTION_COLOUR = "#4a4a4a"
# Presentation mode: the root size every rem of Streamlit's theme follows (the data grid's canvas included):
# 1.5 × the 16 px default on a phone that opened a shared presentation link, 1.75 × on a projector.
PRESENTATION_ROOT_PERCENT = 150
PRESENTATION_WIDE_ROOT_PERCENT = 175


# Streamlit's own English words (toolbar of tables, file picker, field buttons), as read or heard, in French.
STREAMLIT_FRENCH = {
    "Clear entry": "Effacer",
    "Clear value": "Effacer",
    "Download as CSV": "Télécharger en CSV",
    "Fullscreen": "Plein écran",
    "Close fullscreen": "Quitter le plein écran",
    "Search": "Rechercher dans le tableau",
    "Show/hide columns": "Afficher ou masquer des colonnes",
    "file upload": "Envoyer un fichier",
    "Drag and drop file here": "Glissez-déposez un fichier ici",
    "Drag and drop files here": "Glissez-déposez des fichiers ici",
    "Browse files": "Choisir un fichier",
    "Upload": "Envoyer",
    "Press Enter to apply": "Appuyez sur Entrée pour valider",
    "Press Enter to submit form": "Appuyez sur Entrée pour envoyer",
    "Running...": "Calcul en cours…",
    "Stop": "Arrêter",
    "Close": "Fermer",
    "Copy to clipboard": "Copier",
    "Link to heading": "Lien vers ce titre",
    "Main menu": "Menu principal",
    "Skip to main content": "Aller au contenu principal",
    "Open": "Ouvrir",
    "Clear all": "Tout effacer",
    "Select all": "Tout sélectionner",
    "Add files": "Ajouter un fichier",
    "add icon": "Ajouter",
    # A select box's placeholder and its empty list (the Quartiers page's sort box).
    "Choose an option": "Choisir",
    "No results": "Aucun résultat",
    # A phone that loses the network, or a server that stops: Streamlit's connection status and dialog. The
    # selection is in the URL, so reloading the same link brings the same page back.
    "Connecting": "Connexion…",
    "Connecting to Streamlit server": "Connexion au serveur de la carte…",
    "Unable to connect to Streamlit server": "Impossible de joindre le serveur de la carte",
    "Connection error": "Connexion perdue",
    "Is Streamlit still running? If you accidentally stopped Streamlit, just restart it in your terminal:": (
        "Le téléphone ou l'ordinateur n'est plus relié au serveur de la carte (réseau coupé, ou serveur arrêté). "
        "La page se reconnecte seule dès que le réseau revient ; sinon, rechargez-la."
    ),
    "streamlit run yourscript.py": "Le lien de la page garde le quartier choisi : il suffit de le rouvrir.",
    "Streamlit server is not responding. Are you connected to the internet?": (
        "Le serveur de la carte ne répond pas : le téléphone ou l'ordinateur est-il connecté au réseau ? "
        "La page se reconnecte seule dès que le réseau revient ; sinon, rechargez-la. "
        "Le lien de la page garde le quartier choisi."
    ),
    "Connection lost. Please wait for the app to reconnect, then try again.": (
        "Connexion perdue : attendez que la page se reconnecte, puis réessayez."
    ),
    "Reconnected to server.": "Reconnecté au serveur.",
    "Please wait...": "Veuillez patienter…",
    "Dismiss": "Fermer",
    # An address that is no page of the app: Streamlit's dialog, then the main page.
    "Page not found": "Page introuvable",
    "File type not allowed.": "Type de fichier non accepté.",
    "The page that you have requested does not seem to exist. Running the app's main page.": (
        "La page demandée n'existe pas : voici la page d'accueil, la carte."
    ),
}
STREAMLIT_FRENCH_PREFIXES = {"Help for ": "Aide : ", "Limit ": "Taille maximale : ", "Remove ": "Retirer "}
# Parts of a longer text, all replaced: the upload box's "20MB per file", "File must be 20MB or smaller.".
STREAMLIT_FRENCH_PARTS = {
    "MB per file": " Mo par fichier",
    "File must be ": "Le fichier doit faire au plus ",
    ".0MB or smaller.": " Mo.",  # Streamlit writes "20.0MB": no English decimal point in French
    "MB or smaller.": " Mo.",
    "Error: ": "Erreur : ",
}
# Whole texts with a number inside (JavaScript regular expressions, "$1" for a group): a multiselect's bulk
# choice, and a file's size under the upload box (« 5,2 Mo », in its text and in the file chip's aria-label).
_SIZE_UNITS = {"B": "o", "KB": "ko", "MB": "Mo", "GB": "Go"}
STREAMLIT_FRENCH_PATTERNS = [(r"^Select (\d+) matches$", "Sélectionner les $1 résultats")] + [
    pattern
    for unit, french in _SIZE_UNITS.items()
    for pattern in (
        (rf"^(\d+)\.(\d){unit}$", f"$1,$2 {french}"),
        (rf"^(.+), (\d+)\.(\d){unit}$", f"$1, $2,$3 {french}"),
    )
]


def page_language() -> None:
    """RGAA: the page is in French (lang, and Streamlit's English labels replaced) and a map frame has a title.

    The title given here is provisional: once drawn, each map names its own frame (static/carte/carte.js)."""
    st.html(
        "<script>(function(){var d=window.parent&&window.parent.document?window.parent.document:document;"
        "d.documentElement.lang='fr';if(d.__titreCarte)return;d.__titreCarte=true;"
        f"var t={MAP_TITLE!r};"
        "function fix(){d.querySelectorAll('iframe').forEach(function(f){if(f.getAttribute('data-titre-carte'))return;"
        "if((f.title||'').indexOf('folium')>=0||(f.src||'').indexOf('folium')>=0){f.title=t;}});}"
        "fix();new MutationObserver(fix).observe(d.body,{childList:true,subtree:true});"
        f"var T={json.dumps(STREAMLIT_FRENCH, ensure_ascii=False)},P={json.dumps(STREAMLIT_FRENCH_PREFIXES, ensure_ascii=False)},"
        f"S={json.dumps(STREAMLIT_FRENCH_PARTS, ensure_ascii=False)},"
        f"R={json.dumps(STREAMLIT_FRENCH_PATTERNS, ensure_ascii=False)}.map(function(x){{return [new RegExp(x[0]),x[1]];}});"
        "function tr(s){if(!s)return null;var k=s.trim();if(Object.prototype.hasOwnProperty.call(T,k))"
        "return s.replace(k,T[k]);for(var p in P){if(k.indexOf(p)===0)return P[p]+k.slice(p.length);}"
        "for(var i=0;i!==R.length;i++){if(R[i][0].test(k))return k.replace(R[i][0],R[i][1]);}"
        "var r=s,c=false;for(var q in S){if(r.indexOf(q)>=0){r=r.split(q).join(S[q]);c=true;}}return c?r:null;}"
        "var A=['aria-label','title','placeholder'];"
        "function el(e){if(!e.getAttribute)return;A.forEach(function(a){var n=tr(e.getAttribute(a));"
        "if(n!==null)e.setAttribute(a,n);});}"
        "function walk(r){if(r.nodeType===3){var n=tr(r.nodeValue);if(n!==null)r.nodeValue=n;return;}"
        "if(r.nodeType!==1)return;el(r);r.querySelectorAll('[aria-label],[title],[placeholder]').forEach(el);"
        "var w=d.createTreeWalker(r,NodeFilter.SHOW_TEXT),x;"
        "while((x=w.nextNode())){var m=tr(x.nodeValue);if(m!==null)x.nodeValue=m;}}"
        "walk(d.body);new MutationObserver(function(ms){ms.forEach(function(m){"
        "if(m.type==='childList')m.addedNodes.forEach(walk);else if(m.type==='attributes')el(m.target);"
        "else walk(m.target);});}).observe(d.body,{childList:true,subtree:true,characterData:true,"
        "attributes:true,attributeFilter:A});})();</script>",
        unsafe_allow_javascript=True,
    )


# What people type in a link to switch presentation mode on; the URL then says "presentation=1".
_PRESENTATION_ON = {"1", "oui", "yes", "true", "vrai", "on"}


def is_presentation() -> bool:
    """Presentation mode is on: `presentation=1` in the URL, or switched on earlier in this session.

    Streamlit drops the query string when the navigation menu changes page; the session remembers the mode
    so that `keep_presentation()` can put it back in the URL.
    """
    value = (st.query_params.get(_PRESENTATION) or "").strip().casefold()
    return value in _PRESENTATION_ON or bool(st.session_state.get(_PRESENTATION_SESSION))


def keep_presentation() -> None:
    """Put the mode back in the URL after a page change dropped it; remember a mode that came from a link."""
    if is_presentation():
        st.session_state[_PRESENTATION_SESSION] = True
        if st.query_params.get(_PRESENTATION) != "1":
            st.query_params[_PRESENTATION] = "1"


def link_params() -> dict[str, str]:
    """Query parameters every internal link adds so that presentation mode survives it.

    Use: `st.page_link(page, query_params={"quartier": code, **chrome.link_params()})`.
    """
    return {_PRESENTATION: "1"} if is_presentation() else {}


def portrait_href(quartier_id: str) -> str:
    """Relative URL of a quartier's portrait on the Carte page, presentation mode kept (for HTML links)."""
    from urllib.parse import urlencode

    return "./?" + urlencode({"quartier": quartier_id, **link_params()})


def _on_presentation() -> None:
    on = bool(st.session_state.get("presentation_toggle"))
    st.session_state[_PRESENTATION_SESSION] = on
    if on:
        st.query_params[_PRESENTATION] = "1"
    elif _PRESENTATION in st.query_params:
        del st.query_params[_PRESENTATION]


def presentation_toggle() -> None:
    """The switch for projection in a room, at the top of every page; it always shows the mode in force."""
    keep_presentation()
    on = is_presentation()
    # The widget's own memory must not contradict the URL (a link may have switched the mode on or off).
    st.session_state["presentation_toggle"] = on
    st.toggle(
        "Mode présentation (grands caractères)",
        key="presentation_toggle",
        on_change=_on_presentation,
        help="Pour projeter en réunion : textes agrandis, fort contraste, portrait sur toute la largeur. "
        "Le mode est gardé dans le lien de la page.",
    )


def presentation_styles() -> None:
    """Every text 1.5× larger (Streamlit sizes text in rem), black on white, portrait full width, no sidebar."""
    st.html(
        "<style>"
        f"html {{ font-size: {PRESENTATION_ROOT_PERCENT}% !important; }}"
        f"@media (min-width: 1200px) {{ html {{ font-size: {PRESENTATION_WIDE_ROOT_PERCENT}% !important; }} }}"
        "[data-testid='stSidebar'], [data-testid='stSidebarCollapsedControl'] { display: none !important; }"
        ".stApp, [data-testid='stMain'] { background: #ffffff !important; }"
        "[data-testid='stMain'] :is(h1, h2, h3, h4, p, li, label, span, summary, td, th, div)"
        " { color: #000000 !important; }"
        "[data-testid='stMain'] a, [data-testid='stMain'] a * { color: #0b2a80 !important; }"
        "[data-testid='stMain'] [data-testid='stHorizontalBlock']:has(> [data-testid='stColumn'])"
        " { flex-direction: column !important; }"
        "[data-testid='stMain'] [data-testid='stHorizontalBlock'] > [data-testid='stColumn']"
        " { width: 100% !important; flex: 1 1 100% !important; min-width: 100% !important; }"
        "[data-testid='stMainBlockContainer'] { max-width: 100% !important; }"
        "</style>"
    )


def navigation_bar(pages: list) -> None:
    """The menu: one link per page (st.Page objects) and the presentation switch, in a row that wraps on a phone.

    Links keep presentation mode (Streamlit's own menu drops the query string); nothing covers the page.
    """
    with st.container(horizontal=True, key=NAVIGATION_KEY, gap="small", vertical_alignment="center"):
        for page in pages:
            st.page_link(page, query_params=link_params())
        presentation_toggle()
    if is_presentation():
        presentation_styles()


def skip_link(href: str, label: str) -> None:
    """RGAA 12.7: a link that jumps over the map, shown when it has the keyboard focus."""
    st.html(f'<a class="lien-evitement" href="{escape(href)}">{escape(label)}</a>')


def announce(text: str, lead: str | None = None, element_id: str | None = None) -> None:
    """A visible message read out by screen readers when it appears (role="status", polite); `lead` in bold.

    `element_id` lets `bring_into_view` put the keyboard focus on the message (what an action produced)."""
    bold = f"<strong>{escape(lead)}</strong> — " if lead else ""
    ident = f' id="{escape(element_id, quote=True)}"' if element_id else ""
    st.html(f'<p class="annonce" role="status" aria-live="polite"{ident}>{bold}{escape(text)}</p>')


def document_title(page: str, quartier_nom: str | None = None) -> None:
    """The browser tab's title: "Mont Liébaut — Carte — Carte Quartiers 2030" (RGAA 8.6); callable in a fragment.

    Streamlit sets the page title from st.Page after each run; the script keeps ours for as long as the
    title is not the one asked for, then stops watching.
    """
    title = " — ".join(part for part in (quartier_nom, page, APP_NAME) if part)
    st.html(
        "<script>(function(){var d=window.parent&&window.parent.document?window.parent.document:document;"
        f"var t={json.dumps(title)};d.__titrePage=t;d.title=t;"
        "if(d.__titreObs)return;d.__titreObs=new MutationObserver(function(){"
        "if(d.__titrePage&&d.title!==d.__titrePage){d.title=d.__titrePage;}});"
        "d.__titreObs.observe(d.querySelector('title')||d.head,{childList:true,subtree:true,characterData:true});"
        "})();</script>",
        unsafe_allow_javascript=True,
    )


def page_styles() -> None:
    """Contrast (captions 8.9:1, focus ring ≥ 3:1), the skip link and announcements, and print rules."""
    st.html(
        "<style>"
        "[data-testid='stCaptionContainer'], [data-testid='stCaptionContainer'] * "
        f"{{ color: {CAPTION_COLOUR} !important; opacity: 1 !important; }}"
        ":is(a, button, summary, [tabindex]:not(input), [role='button'], [role='tab']):focus-visible"
        f" {{ outline: 3px solid {FOCUS_COLOUR} !important; outline-offset: 2px !important; }}"
        "[data-baseweb='input'] input:focus-visible, [data-baseweb='textarea'] textarea:focus-visible"
        " { outline: none !important; }"
        # The visible box around a text field, a select or a multiselect (Streamlit 1.67's own markup).
        ":is([data-testid='stTextInputRootElement'], [data-testid='stTextAreaRootElement'],"
        " [data-testid='stSelectbox'] > div > div, [data-testid='stMultiSelect'] > div > div):focus-within"
        f" {{ outline: 3px solid {FOCUS_COLOUR} !important; outline-offset: 1px; }}"
        ":is([data-testid='stCheckbox'], [data-testid='stRadio']) label:has(input:focus-visible)"
        f" {{ outline: 3px solid {FOCUS_COLOUR} !important; outline-offset: 2px; }}"
        # The main menu's items (Rerun, Settings, Print...) are in English and cannot be translated.
        "[data-testid='stMainMenu'] { display: none !important; }"
        # Each heading's anchor link is a Tab stop named in English ("Link to heading"): out of the way.
        "[data-testid='stHeaderActionElements'] a[href^='#'] { display: none !important; }"
        ".lien-evitement { position: absolute; left: -10000px; top: auto; width: 1px; height: 1px; overflow: hidden; }"
        ".lien-evitement:focus { position: static; width: auto; height: auto; display: inline-block;"
        f" padding: .4rem .8rem; background: #ffffff; color: {FOCUS_COLOUR}; font-weight: 600; }}"
        ".annonce { margin: .2rem 0 .4rem 0; }"
        ".st-key-resultats_recherche { gap: .1rem; }"
        ".quartiers-commune li { padding: .2rem 0; }"
        # Map first: Streamlit's empty sticky header takes no space and covers nothing (its running indicator
        # stays, top right), the top is compact and the title one line: the map starts on the first screen.
        "header[data-testid='stHeader'] { height: 0 !important; min-height: 0 !important;"
        " background: transparent !important; pointer-events: none; }"
        "header[data-testid='stHeader'] [data-testid='stStatusWidget'] { pointer-events: auto; }"
        "[data-testid='stMainBlockContainer'] { padding-top: 1rem !important; }"
        # Elements that only hold a style or a script take no room (the column's gap would add 1rem each).
        "[data-testid='stElementContainer']:has(> [data-testid='stHtml'] > :is(style, script):only-child)"
        " { display: none; }"
        "[data-testid='stElementContainer']:has(> [data-testid='stHtml'] > :is(.lien-evitement, .recherche-reponse,"
        " [role='status'][style*='clip']):only-child) { margin-bottom: -1rem; }"
        "[data-testid='stMain'] h1 { font-size: 1.75rem !important; padding: .25rem 0 0 !important; line-height: 1.25; }"
        # Sections below the title read as sections: never larger than the page's title (it was 2.25rem).
        "[data-testid='stMain'] h2 { font-size: 1.55rem !important; line-height: 1.3; }"
        "[data-testid='stMain'] h3 { font-size: 1.25rem !important; line-height: 1.3; }"
        # On a phone the menu is one line that scrolls sideways (a shadow at the right edge says there is more).
        "@media (max-width: 480px) { .st-key-navigation { flex-wrap: nowrap !important; overflow-x: auto;"
        " scrollbar-width: none; background: linear-gradient(to left, #fff 30%, rgba(255,255,255,0)) right/2rem 100%"
        " no-repeat local, radial-gradient(farthest-side at 100% 50%, rgba(0,0,0,.25), rgba(0,0,0,0)) right/.7rem"
        " 100% no-repeat scroll; }"
        " .st-key-navigation > * { flex: 0 0 auto !important; width: auto !important; }"
        " .st-key-navigation [data-testid='stPageLink'] a { padding: .15rem .4rem; }"
        " .st-key-navigation [data-testid='stPageLink'] [data-testid='stIconMaterial'] { display: none; } }"
        "@media (max-width: 480px) { [data-testid='stMain'] h1 { font-size: 1.4rem !important; }"
        " [data-testid='stMain'] h2 { font-size: 1.3rem !important; }"
        " [data-testid='stMain'] h3 { font-size: 1.15rem !important; }"
        " [data-testid='stMainBlockContainer'] { padding-top: .5rem !important; } }"
        # Streamlit's connection dialog puts our French advice in a code block: wrapped, in the page's font.
        "[data-testid='stErrorCodeBlock'] :is(pre, code) { white-space: pre-wrap !important;"
        " overflow-wrap: anywhere; font-family: inherit !important; }"
        "@media print { [data-testid='stSidebar'], header, [data-testid='stToolbar'], "
        ".stDownloadButton, .stButton, .lien-evitement, .st-key-navigation, .st-key-recherche_saisie,"
        " .impression-carte-bouton, [data-testid='stElementContainer']:has(.impression-carte-bouton)"
        " { display: none !important; } "
        # A folded expander prints open, its content in the flow (not drawn over what follows it).
        "[data-testid='stExpanderDetails'] { display: block !important; }"
        " details::details-content { content-visibility: visible !important; display: block !important;"
        " height: auto !important; }"
        " [data-testid='stExpander'] details, [data-testid='stExpander'] details > * { height: auto !important;"
        " max-height: none !important; overflow: visible !important; }"
        # Ctrl+P: one column, the map once (its own height, not the screen's), then the portrait; no overlap.
        " [data-testid='stHorizontalBlock'] { flex-direction: column !important; }"
        " [data-testid='stHorizontalBlock'] > [data-testid='stColumn'] { width: 100% !important;"
        " flex: 1 1 100% !important; min-width: 100% !important; }"
        " [class*='st-key-'] { max-height: none !important; overflow: visible !important; }"
        " iframe { height: 12cm !important; break-inside: avoid; }"
        # Scrolling regions (wide tables) print whole, in the flow.
        " [role='region'] { max-height: none !important; overflow: visible !important; }"
        " [role='region'] table { font-size: 7pt; }"
        " [data-testid='stMainBlockContainer'] { padding: 0 !important; max-width: 100% !important; } }</style>"
    )


def footer() -> None:
    """What every page says at its end: the territory and that the information is indicative."""
    st.divider()
    with st.container(key=FOOTER_KEY):
        _footer_text()


def _footer_text() -> None:
    st.caption(
        "Géographie prioritaire 2024-2030 (Quartiers 2030) de la Communauté d'Agglomération de Béthune-Bruay, "
        "Artois Lys Romane et de la Communauté d'Agglomération de Lens-Liévin. Informations indicatives."
    )


def phone_map_styles() -> None:
    """On a phone (≤ PHONE_MAX_WIDTH_PX) the map's frame is at most half the screen high, as tall as the map
    drawn inside it (static/carte/carte.js sizes the map the same way): no blank band under the map."""
    st.html(
        f"<style>@media (max-width: {PHONE_MAX_WIDTH_PX}px) {{"
        f" iframe[title='{MAP_TITLE}'] {{ height: min({MAP_HEIGHT_PX}px, 50vh) !important; }}"
        "}</style>"
    )


def bring_into_view(
    element_id: str | None, heading: str | None = None, focus: bool = False, selector: str | None = None
) -> None:
    """On a phone (≤ PHONE_MAX_WIDTH_PX), scroll the element `element_id` (else the h2 whose text is `heading`)
    to the top of the screen, waiting up to 100 frames for it to be drawn. With `focus`, on every screen, the
    keyboard focus also moves to it (RGAA 7.1: after a choice made with the keyboard, the reader is where the
    new content starts). Without `focus`, nothing happens on a wider screen.

    `selector` (a CSS selector) finds the element when it has no id of its own (a field marked invalid).
    A counter in the session makes each request a new element, so the script runs again. The script holds no
    "<" followed by a letter or digit: Streamlit's sanitiser (DOMPurify) drops a script whose text has one.
    """
    st.session_state["defilements"] = st.session_state.get("defilements", 0) + 1
    target, name, css = (json.dumps(value).replace("<", "\\u003c") for value in (element_id, heading, selector))
    st.html(
        f"<script>/* {st.session_state['defilements']} */(function(){{"
        f"var w=window.parent||window,d=w.document,phone=w.matchMedia('(max-width: {PHONE_MAX_WIDTH_PX}px)').matches,"
        f"focus={json.dumps(focus)};if(!phone&&!focus)return;var id={target},name={name},css={css},n=0;"
        "(function go(){var h=(css===null?null:d.querySelector(css))||(id===null?null:d.getElementById(id))"
        "||(name===null?null:[].slice.call(d.querySelectorAll('h2'))"
        ".filter(function(e){return e.textContent.trim()===name;})[0]);"
        "if(!h){if(100>n++){w.requestAnimationFrame(go);}return;}"
        "if(phone){h.scrollIntoView({block:'start'});}"
        "if(focus){if(0>h.tabIndex&&!h.hasAttribute('tabindex')){h.setAttribute('tabindex','-1');}h.focus({preventScroll:true});"
        # The focused element is always in the window (RGAA 10.7, WCAG 2.4.7), presentation mode included.
        "var r=h.getBoundingClientRect();if(0>r.top||r.bottom>w.innerHeight){h.scrollIntoView({block:'center'});}}"
        "})();})();</script>",
        unsafe_allow_javascript=True,
    )


# Issue 17 (accessibility): landmarks, the skip link's target, fields in error, non-text contrast and wrapping.
NAVIGATION_KEY = "navigation"
NAVIGATION_NAME = "Pages de l'application"
FOOTER_KEY = "pied_de_page"
# WCAG 1.4.11: the boundary of a field, a select, the drop zone or a switch that is off, ≥ 3:1 on white
# (#767676 is 4.5:1).
CONTROL_BORDER_COLOUR = "#767676"


def structure() -> None:
    """ARIA landmarks and field states Streamlit does not give, set (and kept) in the page by one script.

    - the menu is a `navigation` named NAVIGATION_NAME, the footer a `contentinfo`; Streamlit's empty header
      is no `banner`;
    - Streamlit's « Aller au contenu principal » skips the menu: it focuses the page's h1;
    - a field of a form that shows an error is `aria-invalid` and described by the error's text (RGAA 11.10).
    The script holds no "<" followed by a letter (Streamlit's sanitiser would drop it).
    """
    st.html(
        "<script>(function(){var d=window.parent&&window.parent.document?window.parent.document:document;"
        "if(d.__structure)return;d.__structure=true;var n=0;"
        f"var NAV={json.dumps('.st-key-' + NAVIGATION_KEY)},NAME={json.dumps(NAVIGATION_NAME)},"
        f"FOOT={json.dumps('.st-key-' + FOOTER_KEY)};"
        "function set(e,a,v){if(e&&e.getAttribute(a)!==v)e.setAttribute(a,v);}"
        "function fields(){d.querySelectorAll('[data-testid=stForm]').forEach(function(f){"
        "var err=f.querySelector('[data-testid=stAlertContentError]');"
        "f.querySelectorAll('input[type=text],input:not([type]),textarea').forEach(function(i){"
        "if(err){if(!err.id){err.id='erreur-formulaire-'+(++n);}set(i,'aria-invalid','true');"
        "set(i,'aria-describedby',err.id);}"
        "else if(i.getAttribute('aria-invalid')==='true'){i.removeAttribute('aria-invalid');"
        "if((i.getAttribute('aria-describedby')||'').indexOf('erreur-formulaire-')===0)"
        "i.removeAttribute('aria-describedby');}});});}"
        "function fix(){var nav=d.querySelector(NAV);set(nav,'role','navigation');set(nav,'aria-label',NAME);"
        "set(d.querySelector(FOOT),'role','contentinfo');"
        "var h=d.querySelector('header[data-testid=stHeader]');set(h,'role','none');fields();}"
        "fix();new MutationObserver(fix).observe(d.body,{childList:true,subtree:true});"
        "d.addEventListener('click',function(e){var a=e.target.closest&&e.target.closest("
        "'a[data-testid=stSkipToContent]');if(!a)return;"
        "var t=d.querySelector('[data-testid=stMain] h1');if(!t)return;e.preventDefault();e.stopPropagation();"
        "if(!t.hasAttribute('tabindex'))t.setAttribute('tabindex','-1');"
        "(d.defaultView||window).requestAnimationFrame(function(){t.focus({preventScroll:true});"
        "t.scrollIntoView({block:'center'});});},true);"
        "})();</script>",
        unsafe_allow_javascript=True,
    )


def map_first_styles(frame_title: str, layout_key: str, panel_key: str | None = None) -> None:
    """Map first, on a laptop or a projector: the map frame titled `frame_title` fills the first screen's height
    below what is above it, and the columns of the container `layout_key` stay side by side, even in
    presentation mode on a wide screen; the panel `panel_key` beside the map scrolls on its own.

    A script measures where the map starts (menu, title, input above it) into `--haut-carte`, again when the
    window or the page changes size. On a phone (≤ PHONE_MAX_WIDTH_PX) the columns stack and the map keeps half
    the screen (phone_map_styles). The map inside the frame follows the frame's height (static/carte/carte.js).
    """
    height = f"max({MAP_FIRST_MIN_PX}px, calc(100vh - var(--haut-carte, 15rem) - .75rem))"
    panel = (
        f" .st-key-{panel_key} {{ max-height: {height}; overflow-y: auto; padding-right: .5rem; }}" if panel_key else ""
    )
    # The key's class twice: above presentation_styles' rule that stacks every pair of columns.
    row = f"[data-testid='stMain'] .st-key-{layout_key}.st-key-{layout_key} [data-testid='stHorizontalBlock']"
    column = f"{row} > [data-testid='stColumn']"
    st.html(
        f"<style>@media screen and (min-width: {PHONE_MAX_WIDTH_PX + 1}px) {{"
        f" iframe[title={json.dumps(frame_title, ensure_ascii=False)}] {{ height: {height} !important; }}{panel} }}"
        "@media screen and (min-width: 1200px) {"
        f" {row} {{ flex-direction: row !important; }}"
        f" {column} {{ min-width: 0 !important; width: auto !important; flex: 2 1 0 !important; }}"
        f" {column}:has(iframe) {{ flex-grow: 3 !important; }} }}</style>"
        "<script>(function(){var w=window.parent||window,d=w.document;"
        f"var t={json.dumps(frame_title)};d.__titreCarteHaut=t;if(d.__carteHaut)return;d.__carteHaut=true;"
        "function place(){var f=[].slice.call(d.querySelectorAll('iframe')).filter(function(e){"
        "return e.title===d.__titreCarteHaut;})[0],b=d.querySelector('[data-testid=stMainBlockContainer]');"
        "if(!f||!b)return;var top=Math.round(f.getBoundingClientRect().top-b.getBoundingClientRect().top);"
        "d.documentElement.style.setProperty('--haut-carte',top+'px');}"
        "w.addEventListener('resize',place);var n=0;(function go(){place();if(200>n++)w.requestAnimationFrame(go);})();"
        "if(w.ResizeObserver){var b=d.querySelector('[data-testid=stMainBlockContainer]');"
        "if(b)new w.ResizeObserver(place).observe(b);}})();</script>",
        unsafe_allow_javascript=True,
    )


def control_styles() -> None:
    """Non-text contrast of every control's boundary (WCAG 1.4.11) and labels and hints that wrap at 320 px and
    at 200 % zoom instead of being cut with an ellipsis (WCAG 1.4.10)."""
    border = CONTROL_BORDER_COLOUR
    st.html(
        "<style>"
        ":is([data-testid='stTextInputRootElement'], [data-testid='stTextAreaRootElement'],"
        " [data-testid='stNumberInputContainer'], [data-testid='stSelectbox'] > div > div,"
        " [data-testid='stMultiSelect'] > div > div)"
        f" {{ border: 1px solid {border} !important; }}"
        f"[data-testid='stFileUploaderDropzone'] {{ border: 1px dashed {border} !important; }}"
        # The switch's track when off: Streamlit's pale grey (1.47:1) becomes the boundary grey (4.5:1 on white,
        # and its white knob 4.5:1 on it).
        "[data-testid='stCheckbox'] label:has(> span > input[role='switch']:not(:checked)) > span + div"
        f" {{ background-color: {border} !important; }}"
        ":is([data-testid='stDownloadButton'], [data-testid='stButton'], [data-testid='stFileUploader'],"
        " [data-testid='stWidgetLabel'], [data-testid='stFileUploaderDropzoneInstructions'])"
        " :is(p, span, small, div) { white-space: normal !important; overflow: visible !important;"
        " text-overflow: clip !important; overflow-wrap: anywhere; }"
        "[data-testid='stDownloadButton'] button, [data-testid='stButton'] button { height: auto; max-width: 100%; }"
        "</style>"
    )


# « Imprimer la carte »: what the sheet says around the map (A4 landscape, printed by the browser).
MAP_PRINT_SOURCES = (
    "Sources : ANCT, quartiers prioritaires 2024 (décret n° 2023-1314) ; IGN ADMIN EXPRESS / Etalab 2024, communes "
    "(contours généralisés) ; bande des 300 m calculée par l'application (CGI art. 278 sexies), indicative ; "
    "fond © contributeurs OpenStreetMap quand il est affiché."
)
MAP_PRINT_NOTICE = "Document indicatif : seuls les textes officiels font foi."


def print_map_button(frame_title: str, title: str) -> None:
    """« Imprimer la carte »: one A4 landscape page of the map as it is shown (the current view), with the title,
    the date, the legend (opened), the scale, the sources and « document indicatif »; printed by the browser's
    own dialog, nothing to download.

    The script sizes the frame to the sheet, lets the map redraw, prints, then puts everything back. The same
    preparation is `window.__carteImprimer.prepare()` / `.restore()` (the print test uses it).
    """
    texts = json.dumps(
        {"frame": frame_title, "title": title, "sources": MAP_PRINT_SOURCES, "notice": MAP_PRINT_NOTICE}
    ).replace("<", "\\u003c")
    st.html(
        '<button type="button" class="impression-carte-bouton">Imprimer la carte (A4 paysage)</button>'
        "<style>.impression-carte-bouton { font: inherit; padding: .3rem .8rem; border: 1px solid #555;"
        " border-radius: .5rem; background: #fff; color: #111; cursor: pointer; } .impression-carte-feuille { display: none; }"
        # Printing the map: every element of the page that is not the map frame or one of its ancestors is left
        # out; the frame and the sheet's texts are placed on the page.
        "@media print { html.impression-carte [data-testid='stMainBlockContainer']"
        " *:not(:has(iframe.impression-carte-cadre)):not(iframe.impression-carte-cadre) { display: none !important; }"
        " html.impression-carte [data-testid='stApp'] { position: fixed !important; inset: 0 !important;"
        " overflow: hidden !important; }"
        " html.impression-carte iframe.impression-carte-cadre { position: fixed !important; left: 0 !important;"
        " top: 16mm !important; width: 277mm !important; height: 150mm !important; border: 1px solid #333 !important; }"
        " html.impression-carte .impression-carte-feuille { position: fixed; left: 0; top: 0; width: 277mm;"
        " height: 190mm; font: 10pt/1.3 sans-serif; color: #000; }"
        " html.impression-carte .impression-carte-feuille { display: block; }"
        " .impression-carte-feuille h2 { font-size: 15pt; margin: 0; }"
        " .impression-carte-feuille .pied { position: absolute; top: 168mm; left: 0; right: 0; }"
        " }</style>"
        "<script>(function(){var w=window.parent||window,d=w.document;"
        f"var T={texts};"
        "function frame(){return [].slice.call(d.querySelectorAll('iframe')).filter(function(f){"
        "return f.title===T.frame;})[0];}"
        "var saved=null;function prepare(){var f=frame();if(!f)return false;"
        "var page=d.getElementById('impression-carte-page');if(!page){page=d.createElement('style');"
        "page.id='impression-carte-page';page.textContent='@page { size: A4 landscape; margin: 10mm; }';"
        "d.head.appendChild(page);}"
        "var sheet=d.querySelector('.impression-carte-feuille');if(!sheet){sheet=d.createElement('div');"
        "sheet.className='impression-carte-feuille';sheet.setAttribute('aria-hidden','true');"
        "var h=d.createElement('h2'),p=d.createElement('div'),s=d.createElement('p'),n=d.createElement('p');"
        "p.className='pied';p.appendChild(s);p.appendChild(n);sheet.appendChild(h);sheet.appendChild(p);"
        "d.body.appendChild(sheet);}"
        "var date=new Date().toLocaleDateString('fr-FR',{day:'numeric',month:'long',year:'numeric'});"
        "sheet.querySelector('h2').textContent=T.title+' \u2014 '+date;"
        "sheet.querySelector('.pied').firstChild.textContent=T.sources;"
        "var n2=sheet.querySelector('.pied').lastChild;n2.textContent=T.notice;n2.style.fontWeight='bold';"
        "saved={style:f.getAttribute('style')||''};f.classList.add('impression-carte-cadre');"
        "f.style.setProperty('width','1047px','important');f.style.setProperty('height','567px','important');"
        "try{var l=f.contentDocument.querySelector('details.legende-carte');if(l){saved.legend=l.open;l.open=true;}}"
        "catch(e){}d.documentElement.classList.add('impression-carte');return true;}"
        "function restore(){var f=frame();d.documentElement.classList.remove('impression-carte');"
        "var page=d.getElementById('impression-carte-page');if(page)page.remove();"
        "if(f&&saved){f.setAttribute('style',saved.style);f.classList.remove('impression-carte-cadre');"
        "try{var l=f.contentDocument.querySelector('details.legende-carte');if(l&&saved.legend!==undefined)"
        "l.open=saved.legend;}catch(e){}}saved=null;}"
        "w.__carteImprimer={prepare:prepare,restore:restore};"
        "if(!d.__carteImprimerApres){d.__carteImprimerApres=true;w.addEventListener('afterprint',function(){"
        "w.__carteImprimer.restore();});}"
        "[].slice.call(d.querySelectorAll('.impression-carte-bouton')).forEach(function(b){if(b.__pret)return;"
        "b.__pret=true;b.addEventListener('click',function(){if(!w.__carteImprimer.prepare())return;"
        "w.setTimeout(function(){w.print();},600);});});})();</script>",
        unsafe_allow_javascript=True,
    )
