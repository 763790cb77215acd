"""Cached loaders and the shared Streamlit widgets; the only module that imports streamlit."""

from __future__ import annotations

import re
from html import escape

import pandas as pd
import streamlit as st

from quartiers import settings
from quartiers.catalogue import Quartier, build_catalogue, normalise_id
from quartiers.maps import DisplayLayers, display_layers
from quartiers.perimeters import Layers, load_layers
from quartiers.portraits import Cadre, Document, Indicateur, Portrait, PortraitError, load_cadres, load_documents, load_portraits
from quartiers.zones import Locator

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]#|<>~$])")
_LINE_START = re.compile(r"^(\s*)([-+]|\d+\.)(?=\s)", re.MULTILINE)
NO_PORTRAIT = (
    "Portrait détaillé non disponible : aucune convention d'application communale de ce quartier ne figure "
    "dans les documents sources. Seules les informations ci-dessous sont connues."
)
INDICATIF = (
    "Bande des 300 m indicative : CGI art. 278 sexies (TVA 5,5 %), bande de 300 m mesurée depuis la limite du "
    "quartier, calculée en Lambert-93 (EPSG:2154). Seul l'outil officiel SIG Ville fait foi."
)


def md(text: str) -> str:
    """Text shown literally through st.markdown: markdown and HTML characters are escaped."""
    escaped = _MARKDOWN_SPECIALS.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


@st.cache_resource(show_spinner="Chargement des périmètres…")
def get_layers() -> Layers:
    return load_layers()


@st.cache_resource(show_spinner="Préparation de la carte…")
def get_display() -> DisplayLayers:
    return display_layers(get_layers())


@st.cache_resource
def get_locator() -> Locator | None:
    layers = get_layers()
    return Locator(layers.qpv, layers.epci) if layers.qpv is not None else None


@st.cache_resource
def get_portraits() -> tuple[dict[str, Portrait], list[str]]:
    portraits, errors = load_portraits()
    return portraits, [str(e) for e in errors]


@st.cache_resource
def get_cadres() -> tuple[dict[str, Cadre], str | None]:
    try:
        return load_cadres(), None
    except PortraitError as exc:
        return {}, str(exc)


@st.cache_resource
def get_documents() -> dict[str, Document]:
    return load_documents()


@st.cache_resource
def get_catalogue() -> dict[str, Quartier]:
    layers = get_layers()
    portraits, _ = get_portraits()
    return build_catalogue(layers.qpv, layers.qic, portraits)


def read_selection() -> tuple[Quartier | None, str | None]:
    """The quartier named in the URL (?quartier=...), or a French message when the value is unknown."""
    raw = st.query_params.get("quartier")
    if not raw:
        return None, None
    catalogue = get_catalogue()
    quartier = catalogue.get(normalise_id(raw))
    if quartier is None:
        shown = raw if len(raw) <= 40 else raw[:40] + "…"
        return None, (
            f"Quartier inconnu : « {md(shown)} ». Vérifiez le lien, ou choisissez un quartier dans la recherche "
            "ou dans la page Quartiers."
        )
    return quartier, None


def select(quartier_id: str | None) -> None:
    """Put the selection in the URL (a callback only copies a value into that state)."""
    if quartier_id:
        st.query_params["quartier"] = quartier_id
    elif "quartier" in st.query_params:
        del st.query_params["quartier"]


def show_problems() -> None:
    """Layer and portrait files that could not be used, in French, without stopping the page."""
    layers = get_layers()
    _, errors = get_portraits()
    _, cadre_error = get_cadres()
    for problem in layers.problems:
        st.warning(md(problem), icon="⚠️")
    for error in errors:
        st.warning(md("Portrait écarté : " + error), icon="⚠️")
    if cadre_error:
        st.warning(md("Cadre intercommunal écarté : " + cadre_error), icon="⚠️")


def _on_presentation() -> None:
    if st.session_state.get("presentation_toggle"):
        st.query_params["presentation"] = "1"
    elif "presentation" in st.query_params:
        del st.query_params["presentation"]


def presentation_toggle() -> None:
    """Large type and high contrast for projection in public meetings, kept in the URL."""
    on = st.query_params.get("presentation") == "1"
    st.sidebar.toggle("Mode présentation (grands caractères)", value=on, key="presentation_toggle", on_change=_on_presentation)
    if on:
        st.html(
            "<style>html, .stMarkdown, .stMarkdown p, li, td, th, label, .stAlert { font-size: 1.35rem !important; }"
            "h1 { font-size: 2.6rem !important; } h2 { font-size: 2.1rem !important; } h3 { font-size: 1.7rem !important; }"
            ".stApp { background: #ffffff; color: #000000; }</style>"
        )


def print_css() -> None:
    """Browser printing keeps the content and drops the navigation."""
    st.html(
        "<style>@media print { [data-testid='stSidebar'], header, [data-testid='stToolbar'], "
        ".stDownloadButton, .stButton { display: none !important; } "
        "[data-testid='stExpanderDetails'] { display: block !important; } }</style>"
    )


def fmt_number(value: float) -> str:
    """French number: 46,1 — 2 700 — 77,9."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", " ").replace(".", ",")


def fmt_value(indicateur: Indicateur, value: float | None) -> str:
    if value is None:
        return ""
    unit = {"%": " %", "habitants": " hab.", "ha": " ha", "€": " €"}.get(indicateur.unite, f" {indicateur.unite}")
    if indicateur.unite in ("indice", ""):
        unit = ""
    return fmt_number(value) + unit


def document_label(code: str) -> str:
    document = get_documents().get(code)
    return f"document {code} — {document.titre}" if document else f"document {code}"


def source_line(document: str, section: str, millesime: str | None = None) -> str:
    parts = [f"Source : {document_label(document)}, section « {section} »"]
    if millesime:
        parts.append(millesime)
    return " — ".join(parts)


def indicator_table(indicateurs: tuple[Indicateur, ...]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Indicateur": [i.libelle for i in indicateurs],
            "Quartier": [fmt_value(i, i.valeur) + (f" ({i.evolution})" if i.evolution else "") for i in indicateurs],
            "Référence": [
                (fmt_value(i, i.reference) + (f" ({i.reference_libelle})" if i.reference_libelle else ""))
                if i.reference is not None
                else ""
                for i in indicateurs
            ],
            "Source et millésime": [source_line(i.source.document, i.source.section, i.millesime) for i in indicateurs],
        }
    )


def rate_bars(indicateurs: tuple[Indicateur, ...]) -> str:
    """Horizontal bars, quartier against the agglomeration, for rates that have a reference (HTML, escaped)."""
    rows = []
    for i in indicateurs:
        if not i.is_rate or i.reference is None:
            continue
        rows.append(
            "<div class='barre'>"
            f"<div class='barre-libelle'>{escape(i.libelle)}</div>"
            f"<div class='barre-ligne'><span class='barre-nom'>Quartier</span><span class='barre-fond'>"
            f"<span class='barre-q' style='width:{i.valeur:.1f}%'></span></span><b>{escape(fmt_value(i, i.valeur))}</b></div>"
            f"<div class='barre-ligne'><span class='barre-nom'>Agglo.</span><span class='barre-fond'>"
            f"<span class='barre-r' style='width:{i.reference:.1f}%'></span></span>{escape(fmt_value(i, i.reference))}</div>"
            "</div>"
        )
    if not rows:
        return ""
    style = (
        "<style>.barre{margin:0 0 .6rem 0}.barre-libelle{font-weight:600}.barre-ligne{display:flex;align-items:center;gap:.5rem}"
        ".barre-nom{width:5.5rem;font-size:.9em}.barre-fond{flex:1;background:#eee;height:.9rem;border:1px solid #999}"
        ".barre-q{display:block;height:100%;background:#b3261e}.barre-r{display:block;height:100%;"
        "background:repeating-linear-gradient(45deg,#1d3f8f 0 4px,#5b7bc4 4px 8px)}</style>"
    )
    return style + "<div role='img' aria-label='Barres : chaque taux du quartier comparé à la référence'>" + "".join(rows) + "</div>"


def portrait_panel(quartier: Quartier) -> None:
    """Everything the sources say about one quartier, as text first, with its source under each block."""
    portrait = quartier.portrait
    st.header(quartier.nom)
    facts = [f"**Statut :** {md(_statut_label(quartier))}"]
    if quartier.code_qp:
        facts.append(f"**Code officiel 2024 :** {md(quartier.code_qp)}")
    if portrait and portrait.code_cite:
        facts.append(f"**Code cité dans la convention :** {md(portrait.code_cite)}")
    if quartier.nom_officiel and quartier.nom_officiel != quartier.nom:
        facts.append(f"**Nom officiel (ANCT) :** {md(quartier.nom_officiel)}")
    facts.append(f"**Communes :** {md(', '.join(quartier.communes))}")
    if quartier.epci:
        facts.append(f"**Intercommunalité :** {md(', '.join(quartier.epci))}")
    if quartier.surface_ha is not None:
        facts.append(f"**Surface du périmètre 2024 :** {md(fmt_number(quartier.surface_ha))} ha (calculée en Lambert-93)")
    elif quartier.statut == "QIC":
        facts.append("**Périmètre :** non publié (aucun périmètre de QIC n'est disponible)")
    st.markdown("  \n".join(facts))
    if quartier.code_qp:
        st.markdown(f"[Fiche officielle SIG Ville]({settings.SIG_VILLE_URL.format(code=quartier.code_qp)})")
    if quartier.voisin:
        st.info("QPV d'une agglomération voisine, hors contrats CABBALR / CALL : ses données ne figurent pas dans nos sources.")
        return
    if portrait is None:
        st.info("Aucune fiche n'a pu être chargée pour ce quartier (fichier de portrait absent ou écarté).")
        return
    if portrait.note:
        with st.expander("Remarques sur la source de ce portrait"):
            st.caption(md(portrait.note))
    if not portrait.portrait_detaille:
        st.info(NO_PORTRAIT)
    _statistics(portrait)
    _list_section("Les « irritants » : principales problématiques", portrait.irritants, irritant=True)
    _list_section("Les « opportunités » : atouts et ressources", portrait.opportunites)
    _list_section("Les enjeux prioritaires pour la commune", portrait.enjeux_prioritaires)
    _objectives(portrait)
    st.caption(md(source_line(portrait.source.document, portrait.source.section)))


def _statut_label(quartier: Quartier) -> str:
    return {
        "QPV": "Quartier prioritaire de la politique de la ville (QPV)",
        "QIC": "Quartier d'intérêt communautaire (QIC)",
        "QPV voisin": "QPV voisin, hors contrats CABBALR / CALL",
    }.get(quartier.statut, quartier.statut)


def _statistics(portrait: Portrait) -> None:
    if not portrait.indicateurs:
        return
    st.subheader("Portrait statistique")
    bars = rate_bars(portrait.indicateurs)
    if bars:
        st.html(bars)
    st.dataframe(indicator_table(portrait.indicateurs), hide_index=True, width="stretch")
    millesimes = sorted({i.millesime for i in portrait.indicateurs if i.millesime})
    if millesimes:
        st.caption(md("Millésime indiqué par la source : " + " ; ".join(millesimes)))


def _list_section(title: str, items, irritant: bool = False) -> None:
    if not items:
        return
    st.subheader(f"{title} ({len(items)})")
    for item in items:
        if irritant:
            st.markdown(f"- **{md(item.titre)}**")
            for paragraph in item.detail:
                st.markdown(md(paragraph))
            if item.sources_citees:
                st.caption(md(" ; ".join(item.sources_citees)))
        else:
            st.markdown(f"- {md(item.texte)}")
    first = items[0].source
    st.caption(md(source_line(first.document, first.section)))


def _objectives(portrait: Portrait) -> None:
    if not portrait.objectifs:
        return
    st.subheader("Objectifs opérationnels")
    st.caption("Par enjeu, puis ambition de la stratégie intercommunale, puis objectif ; une cellule vide dans la convention reste vide ici.")
    enjeux: dict[str, list] = {}
    for objectif in portrait.objectifs:
        enjeux.setdefault(objectif.enjeu, []).append(objectif)
    for enjeu, rows in enjeux.items():
        filled = sum(1 for r in rows if r.operationnels)
        with st.expander(f"{enjeu} — {filled} objectif(s) renseigné(s) sur {len(rows)}"):
            ambition = None
            for row in rows:
                if row.ambition != ambition:
                    ambition = row.ambition
                    st.markdown(f"**Ambition : {md(ambition)}**" if ambition else "**Ambition : (non précisée)**")
                st.markdown(f"- Objectif : {md(row.objectif) if row.objectif else '(non précisé)'}")
                if not row.operationnels:
                    st.markdown("    - *Aucun objectif opérationnel indiqué dans la convention.*")
                for op in row.operationnels:
                    st.markdown(f"    - {md(op.texte)}")
                    for item in op.items:
                        st.markdown(f"        - {md(item)}")
            st.caption(md(source_line(rows[0].source.document, rows[0].source.section)))


def cadre_panel(cadre: Cadre) -> None:
    """The intercommunal frame: references, enjeux or piliers, ambitions, transversal axes."""
    with st.expander(f"Cadre intercommunal du contrat de ville — {cadre.epci}"):
        if cadre.note:
            st.caption(md(cadre.note))
        if cadre.references:
            st.markdown("**Références de l'agglomération**")
            st.dataframe(indicator_table(cadre.references), hide_index=True, width="stretch")
        for enjeu in cadre.enjeux:
            st.markdown(f"**{md(enjeu.titre)}**")
            for ambition in enjeu.ambitions:
                st.markdown(f"- {md(ambition.titre)}")
                for objectif in ambition.objectifs:
                    st.markdown(f"    - {md(objectif)}")
        for axe in cadre.transversaux:
            st.markdown(f"**Axe ou priorité transversale : {md(axe.titre)}**")
            for paragraph in axe.texte:
                st.markdown(f"- {md(paragraph)}")
        st.caption(md(source_line(cadre.source.document, cadre.source.section)))


LEAFLET_MISSING = (
    "Les fichiers de la bibliothèque cartographique (Leaflet) ne sont pas installés : la carte ne peut pas "
    "s'afficher. Lancez « make run » (ou « make setup ») depuis le dossier du projet. Le reste de l'application "
    "fonctionne."
)
MAP_TITLE = "Carte interactive des quartiers prioritaires, de la bande des 300 m et des communes"


def leaflet_installed() -> bool:
    return (settings.LEAFLET_DIR / "leaflet.js").exists()


def page_language() -> None:
    """RGAA: the page is in French and the map frame has a title (Streamlit sets neither)."""
    st.html(
        "<script>(function(){var d=window.parent&&window.parent.document?window.parent.document:document;"
        "d.documentElement.lang='fr';"
        f"var t={MAP_TITLE!r};"
        "function fix(){d.querySelectorAll('iframe').forEach(function(f){"
        "if((f.title||'').indexOf('folium')>=0||(f.src||'').indexOf('folium')>=0){f.title=t;}});}"
        "fix();new MutationObserver(fix).observe(d.body,{childList:true,subtree:true});})();</script>",
        unsafe_allow_javascript=True,
    )


def search_options(catalogue: dict[str, Quartier]) -> dict[str, str]:
    """Search labels → value: "q:<id>" for a quartier, "c:<commune>" for a commune."""
    options = {}
    for quartier in sorted(catalogue.values(), key=lambda q: (q.voisin, q.nom.lower())):
        suffix = " — QPV voisin" if quartier.voisin else (" — QIC" if quartier.statut == "QIC" else "")
        options[f"{quartier.label}{suffix}"] = f"q:{quartier.id}"
    communes = get_layers().communes
    if communes is not None:
        for nom in sorted(communes["nom"]):
            options[f"Commune : {nom}"] = f"c:{nom}"
    return options


def _on_search() -> None:
    value = st.session_state.get("recherche")
    if not value:
        return
    target = search_options(get_catalogue()).get(value, "")
    if target.startswith("q:"):
        st.session_state["vue_commune"] = None
        select(target[2:])
    elif target.startswith("c:"):
        st.session_state["vue_commune"] = target[2:]
        select(None)


def search_box(catalogue: dict[str, Quartier], quartier: Quartier | None) -> None:
    """Type a quartier or a commune; the map zooms to it and a quartier's portrait opens."""
    options = list(search_options(catalogue))
    current = next((label for label, v in search_options(catalogue).items() if quartier and v == f"q:{quartier.id}"), None)
    st.selectbox(
        "Rechercher un quartier ou une commune",
        options,
        index=options.index(current) if current in options else None,
        placeholder="Tapez un nom : Mont Liébaut, Lens, Catorive…",
        key="recherche",
        on_change=_on_search,
    )


def on_map_click() -> None:
    """Copy the clicked quartier's code into the URL; clicks on other layers select nothing."""
    state = st.session_state.get("carte") or {}
    feature = state.get("last_active_drawing") or {}
    properties = feature.get("properties") or {}
    if properties.get("couche") in ("qpv", "qpv_voisin") and properties.get("code_qp"):
        st.session_state["selection_par_clic"] = True
        select(properties["code_qp"])
    elif properties.get("couche") == "qic" and properties.get("id"):
        st.session_state["selection_par_clic"] = True
        select(properties["id"])


def selection_layer(display: DisplayLayers, quartier: Quartier | None):
    from quartiers.maps import feature_for, selection_group

    feature = feature_for(display, quartier.id) if quartier else None
    return selection_group(feature)


def requested_view(display: DisplayLayers, quartier: Quartier | None) -> dict:
    """Centre and zoom to apply without reloading the map: kept as is after a click on the map itself."""
    from quartiers.maps import feature_bounds, feature_for, view_for_bounds

    if st.session_state.pop("selection_par_clic", False):
        return st.session_state.get("vue_demandee", {})
    bounds = None
    commune = st.session_state.get("vue_commune")
    if quartier is not None:
        feature = feature_for(display, quartier.id)
        bounds = feature_bounds(feature) if feature else None
    elif commune and display.communes:
        feature = next((f for f in display.communes["features"] if f["properties"]["nom"] == commune), None)
        bounds = feature_bounds(feature) if feature else None
    if bounds is None:
        view = {}
    else:
        centre, zoom = view_for_bounds(bounds)
        view = {"center": centre, "zoom": zoom}
    st.session_state["vue_demandee"] = view
    return view


def text_legend(display: DisplayLayers) -> None:
    """RGAA: the legend and the map's content also exist as text."""
    from quartiers.maps import legend_entries

    with st.expander("Légende et contenu de la carte (texte)", expanded=False):
        for _, label in legend_entries(display):
            st.markdown(f"- {md(label)}")
        if display.qic is None:
            st.markdown("- " + md("Quartiers d'intérêt communautaire (QIC) : périmètres non publiés, non représentés."))
        st.markdown(md(INDICATIF))
        st.markdown(
            md(
                "Contours des communes : Etalab 2024 (IGN ADMIN EXPRESS), généralisés à 100 m : ils servent de repère, "
                "pas de limite exacte. Les QPV sont au tracé officiel ANCT, non simplifié pour les calculs "
                f"(simplifié à {fmt_number(display.simplification_m)} m pour l'affichage)."
            )
        )
        st.markdown("La liste complète des quartiers, avec leurs communes et indicateurs, est sur la page « Quartiers ».")


def downloads() -> None:
    """Every layer as GeoJSON, for QGIS."""
    from quartiers.exports import EXPORTABLE, ExportError, layer_geojson

    with st.expander("Télécharger les couches (GeoJSON, pour QGIS)"):
        labels = {"qpv": "QPV 2024", "bande300": "Bande des 300 m", "communes": "Communes", "qic": "QIC"}
        for name in EXPORTABLE:
            try:
                data = _layer_geojson_cached(name)
            except ExportError as exc:
                st.caption(md(f"{labels[name]} : {exc}"))
                continue
            st.download_button(
                f"{labels[name]} (GeoJSON)", data, file_name=f"{name}.geojson", mime="application/geo+json", key=f"dl_{name}"
            )


@st.cache_data(show_spinner=False)
def _layer_geojson_cached(name: str) -> str:
    from quartiers.exports import layer_geojson

    return layer_geojson(get_layers(), name)


def welcome(catalogue: dict[str, Quartier]) -> None:
    own = [q for q in catalogue.values() if not q.voisin]
    qpv = sum(1 for q in own if q.statut == "QPV")
    detailed = sum(1 for q in own if q.portrait and q.portrait.portrait_detaille)
    st.subheader("Choisissez un quartier")
    st.markdown(
        md(
            f"Cliquez sur un quartier de la carte, ou cherchez-le par son nom ou sa commune. "
            f"La carte montre les {qpv} quartiers prioritaires (QPV) des contrats de ville de la CABBALR et de la CALL, "
            f"la bande des 300 m autour de chacun, et les communes. {detailed} quartiers ont un portrait détaillé "
            "issu d'une convention communale."
        )
    )
    st.page_link("pages/situer.py", label="Une adresse est-elle en QPV ou dans la bande des 300 m ?", icon=":material/location_on:")
    st.page_link("pages/quartiers.py", label="Liste de tous les quartiers (texte, tableau comparatif)", icon=":material/table_rows:")


def fiche_download(quartier: Quartier) -> None:
    from quartiers.fiche import fiche_html

    layers = get_layers()
    html = fiche_html(quartier, layers, get_cadres()[0].get(quartier.epci[0]) if quartier.epci else None, get_documents())
    st.download_button(
        "Fiche imprimable (HTML, à ouvrir puis imprimer)",
        html,
        file_name=f"fiche-{quartier.id}.html",
        mime="text/html",
        key="fiche",
    )


def cadres_for(quartier: Quartier) -> None:
    cadres, _ = get_cadres()
    for epci in quartier.epci:
        if epci in cadres:
            cadre_panel(cadres[epci])


def _parse_coordinate(raw: str | None, low: float, high: float) -> float | None:
    try:
        value = float(str(raw).replace(",", "."))
    except (TypeError, ValueError):
        return None
    return value if low <= value <= high else None


def read_point() -> tuple[tuple[float, float] | None, str | None]:
    """The point of the URL (?lat=..&lon=..), or a French message when the values are not coordinates."""
    raw_lat, raw_lon = st.query_params.get("lat"), st.query_params.get("lon")
    if raw_lat is None and raw_lon is None:
        return None, None
    lat, lon = _parse_coordinate(raw_lat, -90, 90), _parse_coordinate(raw_lon, -180, 180)
    if lat is None or lon is None:
        return None, "Coordonnées invalides dans le lien : latitude et longitude attendues en degrés (ex. lat=50.518&lon=2.629)."
    return (lat, lon), None


def set_point(lat: float, lon: float) -> None:
    st.query_params["lat"] = f"{lat:.6f}"
    st.query_params["lon"] = f"{lon:.6f}"


def on_point_click() -> None:
    clicked = (st.session_state.get("carte_situer") or {}).get("last_clicked")
    if clicked and "lat" in clicked and "lng" in clicked:
        st.session_state["point_par_clic"] = True
        set_point(float(clicked["lat"]), float(clicked["lng"]))


def point_answer(point: tuple[float, float] | None) -> None:
    from quartiers.answers import VINTAGE, describe

    if point is None:
        st.info("Aucun lieu choisi : cliquez sur la carte ou saisissez des coordonnées.")
        return
    locator = get_locator()
    if locator is None:
        st.error("Les périmètres des QPV n'ont pas pu être chargés : impossible de répondre.")
        return
    location = locator.locate(*point)
    icon = {"dans": "🟥", "bande": "🟧", "limite": "⚠️", "hors": "⬜", "hors_territoire": "⬜"}.get(location.statut, "")
    st.subheader("Réponse")
    st.markdown(f"{icon} {md(describe(location))}")
    st.caption(md(f"Point : latitude {point[0]:.6f}, longitude {point[1]:.6f}. {VINTAGE}"))
    if location.code_qp and location.statut in ("dans", "bande", "limite"):
        st.page_link("pages/carte.py", label="Voir le portrait du quartier", query_params={"quartier": location.code_qp})


def coordinates_form(point: tuple[float, float] | None) -> None:
    with st.form("coordonnees"):
        st.markdown("**Saisir des coordonnées (degrés, WGS84)**")
        lat = st.text_input("Latitude", value=f"{point[0]:.6f}" if point else "", placeholder="50.518")
        lon = st.text_input("Longitude", value=f"{point[1]:.6f}" if point else "", placeholder="2.629")
        if st.form_submit_button("Situer ce point"):
            parsed_lat, parsed_lon = _parse_coordinate(lat, -90, 90), _parse_coordinate(lon, -180, 180)
            if parsed_lat is None or parsed_lon is None:
                st.error("Coordonnées invalides : saisissez deux nombres, par exemple 50.518 et 2.629.")
            else:
                set_point(parsed_lat, parsed_lon)
                st.rerun()


def address_form() -> None:
    from quartiers.geocoding import MIN_SCORE, GeocodingUnavailable, geocode

    with st.form("adresse"):
        st.markdown("**Chercher une adresse (nécessite internet)**")
        address = st.text_input("Adresse", placeholder="12 rue de la Gare, Béthune")
        if st.form_submit_button("Chercher l'adresse") and address.strip():
            try:
                found = geocode(address.strip())
            except GeocodingUnavailable as exc:
                st.warning(str(exc))
                return
            if found is None:
                st.warning("Adresse introuvable dans la Base Adresse Nationale.")
            elif not found.certain:
                st.warning(
                    md(
                        f"Adresse incertaine : « {found.label} » (score de géocodage {found.score:.2f}, inférieur à "
                        f"{MIN_SCORE}). Nous ne répondons pas sur une adresse incertaine : précisez-la ou cliquez sur la carte."
                    )
                )
            else:
                st.success(md(f"Adresse trouvée : « {found.label} » (score {found.score:.2f})."))
                set_point(found.lat, found.lon)
                st.rerun()


def locate_me_button() -> None:
    """The browser's own geolocation; the position goes into the URL, nothing is stored."""
    st.html(
        "<button id='me-localiser' type='button' style='padding:.4rem .8rem;border:1px solid #333;border-radius:.4rem;"
        "background:#fff;color:#111;cursor:pointer'>📍 Me localiser (position du navigateur)</button>"
        "<span id='me-localiser-msg' role='status' style='margin-left:.5rem'></span>"
        "<script>(function(){var b=document.getElementById('me-localiser');if(!b)return;b.onclick=function(){"
        "var m=document.getElementById('me-localiser-msg');"
        "if(!navigator.geolocation){m.textContent='Localisation non disponible dans ce navigateur.';return;}"
        "m.textContent='Localisation en cours…';navigator.geolocation.getCurrentPosition(function(p){"
        "var u=new URL(window.location.href);u.searchParams.set('lat',p.coords.latitude.toFixed(6));"
        "u.searchParams.set('lon',p.coords.longitude.toFixed(6));window.location.href=u.toString();},"
        "function(){m.textContent='Position refusée ou indisponible.';});};})();</script>",
        unsafe_allow_javascript=True,
    )


def point_layer(point: tuple[float, float] | None):
    from quartiers.maps import selection_group

    return selection_group(None, point, "Lieu choisi")


def point_view(point: tuple[float, float] | None) -> dict:
    if st.session_state.pop("point_par_clic", False):
        return st.session_state.get("vue_point", {})
    view = {"center": point, "zoom": 15} if point else {}
    st.session_state["vue_point"] = view
    return view


def batch_section() -> None:
    """Upload a CSV of points, download it back with the QPV columns; nothing is kept on the server."""
    from quartiers.batch import MAX_BYTES, MAX_ROWS, OUTPUT_COLUMNS, BatchError, locate_frame, read_csv, to_csv_bytes

    st.subheader("Situer tout un fichier (CSV)")
    st.markdown(
        md(
            f"Colonnes attendues : « latitude » et « longitude » en degrés (séparateur ; ou , ; UTF-8 ou Latin-1). "
            f"Limite : {MAX_BYTES // (1024 * 1024)} Mo et {MAX_ROWS:,} lignes.".replace(",", " ")
            + f" Colonnes ajoutées : {', '.join(OUTPUT_COLUMNS)}. Le fichier n'est pas conservé."
        )
    )
    uploaded = st.file_uploader("Fichier CSV", type=["csv", "txt"], key="fichier_csv")
    if uploaded is None:
        return
    locator = get_locator()
    if locator is None:
        st.error("Les périmètres des QPV n'ont pas pu être chargés : impossible de traiter le fichier.")
        return
    try:
        table = read_csv(uploaded.getvalue(), uploaded.name)
        result = locate_frame(table.frame, locator)
    except BatchError as exc:
        st.error(md(str(exc)))
        return
    counts = result["statut"].value_counts()
    st.success(
        md(
            f"{len(result)} lignes traitées (encodage {table.encoding}, séparateur « {table.separator} ») : "
            + ", ".join(f"{statut} : {counts[statut]}" for statut in sorted(counts.index))
        )
    )
    st.download_button(
        "Télécharger le résultat (CSV)",
        to_csv_bytes(result, table.separator),
        file_name=uploaded.name.rsplit(".", 1)[0] + "_qpv.csv",
        mime="text/csv",
        key="resultat_csv",
    )
    st.dataframe(result.head(50), hide_index=True)


TABLE_INDICATORS = {
    "taux_pauvrete": "Taux de pauvreté (%)",
    "taux_emploi_15_64": "Taux d'emploi 15-64 ans (%)",
    "part_parc_social": "Parc social (%)",
    "ips": "IPS",
}


def _population(quartier: Quartier) -> float | None:
    if quartier.portrait is None:
        return None
    for cle in ("population", "population_quartiers_2030"):
        indicateur = quartier.portrait.indicateur(cle)
        if indicateur is not None:
            return indicateur.valeur
    return None


def quartiers_table(catalogue: dict[str, Quartier]) -> pd.DataFrame:
    rows = []
    for q in sorted(catalogue.values(), key=lambda q: (q.voisin, q.nom.lower())):
        portrait = q.portrait
        row = {
            "Quartier": q.nom,
            "Statut": q.statut,
            "Code": q.code_qp or "",
            "Communes": ", ".join(q.communes),
            "Intercommunalité": ", ".join(q.epci) if q.epci else "hors contrats",
            "Surface 2024 (ha)": q.surface_ha,
            "Population": _population(q),
            "Portrait détaillé": "oui" if portrait and portrait.portrait_detaille else "non",
        }
        for cle, label in TABLE_INDICATORS.items():
            indicateur = portrait.indicateur(cle) if portrait else None
            row[label] = indicateur.valeur if indicateur else None
        row["Portrait"] = f"/?quartier={q.id}"
        rows.append(row)
    return pd.DataFrame(rows)


def quartiers_table_columns() -> dict:
    return {
        "Portrait": st.column_config.LinkColumn("Portrait", display_text="Voir"),
        "Surface 2024 (ha)": st.column_config.NumberColumn(format="%.1f"),
        "Population": st.column_config.NumberColumn(format="%d"),
    }


def comparable_ids(catalogue: dict[str, Quartier]) -> list[str]:
    return [q.id for q in sorted(catalogue.values(), key=lambda q: q.nom.lower()) if q.portrait and q.portrait.indicateurs]


def comparison_table(quartiers: list[Quartier]) -> pd.DataFrame:
    """Indicators in rows, quartiers in columns; the agglomeration reference stays beside each value."""
    labels: dict[str, dict[str, str]] = {}
    for q in quartiers:
        for i in q.portrait.indicateurs:
            key = i.cle or i.libelle
            value = fmt_value(i, i.valeur)
            if i.reference is not None:
                value += f" (réf. {fmt_value(i, i.reference)})"
            labels.setdefault(key, {"Indicateur": i.libelle})[q.nom] = value
    return pd.DataFrame(list(labels.values())).set_index("Indicateur").fillna("—")


def sources_page(catalogue: dict[str, Quartier]) -> None:
    documents = get_documents()
    st.header("Documents sources des portraits")
    st.markdown(
        "Chaque chiffre et chaque phrase des portraits vient de l'un de ces documents, mot pour mot, avec la section "
        "citée sous chaque bloc. Quand un quartier n'a pas de convention communale, l'application le dit et ne comble pas le vide."
    )
    for document in documents.values():
        st.markdown(f"- **Document {md(document.code)}** : {md(document.titre)}")
    st.header("Couches de la carte")
    st.markdown(
        md(
            "Périmètres des QPV 2024 : ANCT (SIG Ville), jeu « Quartiers prioritaires de la politique de la ville (QPV) », "
            f"{settings.PERIMETRES_MILLESIME} ; Licence Ouverte / Etalab 2.0 ; tracé officiel non simplifié pour les calculs."
        )
    )
    st.markdown(
        md(
            "QPV voisins : 4 QPV de la Communauté d'Agglomération d'Hénin-Carvin (CAHC) situés à moins de 1 km du territoire. "
            "Ils relèvent d'autres contrats, mais leur bande des 300 m entre dans des communes de la CALL : ils sont pris en "
            "compte pour dire si un lieu est en QPV ou dans une bande."
        )
    )
    st.markdown(
        md(
            "Communes et limites d'agglomération : Etalab « contours administratifs » 2024 (IGN ADMIN EXPRESS COG 2024), "
            "version généralisée à 100 m ; Licence Ouverte 2.0. Ces contours sont approximatifs : ils servent de repère."
        )
    )
    st.markdown(
        md(
            "Quartiers d'intérêt communautaire (QIC) : aucun périmètre n'est publié. Le QIC Catorive (Béthune) a un portrait "
            "mais pas de tracé ; il est accessible par la recherche et la liste des quartiers."
        )
    )
    st.markdown(md("Périmètres 2015 : non trouvés dans les sources ; les portraits « basés sur l'ancien périmètre » le disent."))
    st.header("La bande des 300 m")
    st.markdown(md(INDICATIF))
    st.markdown(
        md(
            "Méthode : pour chaque QPV, zone tampon de 300 m autour du tracé officiel, calculée en Lambert-93 (EPSG:2154, "
            "en mètres) puis reprojetée en WGS84 pour l'affichage ; le QPV lui-même est retiré de sa bande. Jamais en degrés "
            "ni en Web Mercator, qui fausseraient les distances. Les distances affichées sont arrondies au mètre ; à moins de "
            "10 m d'une limite, la réponse indique « à la limite » et renvoie à l'outil officiel."
        )
    )
    st.header("Fiches officielles SIG Ville")
    lines = [
        f"- [{md(q.nom)} ({q.code_qp})]({settings.SIG_VILLE_URL.format(code=q.code_qp)})"
        for q in sorted(catalogue.values(), key=lambda q: q.code_qp or "")
        if q.code_qp
    ]
    st.markdown("\n".join(lines))
