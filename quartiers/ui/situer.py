"""Widgets of the "Ce lieu est-il en QPV ?" page: one point, an address, my position, a CSV file."""

from __future__ import annotations

import streamlit as st

from quartiers.ui.state import get_locator, md, parse_coordinate, set_point

STATUS_LABELS = {
    "dans": "Dans un QPV",
    "bande": "Dans la bande des 300 m",
    "limite": "À la limite : à vérifier",
    "hors": "Hors QPV et hors bande",
    "hors_territoire": "Hors du territoire couvert",
    "invalide": "Coordonnées invalides",
}


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
    verdict = STATUS_LABELS.get(location.statut, "")
    st.subheader("Réponse")
    st.markdown(f"**{verdict}** — {md(describe(location))}")
    st.caption(md(f"Point : latitude {point[0]:.6f}, longitude {point[1]:.6f}. {VINTAGE}"))
    if location.code_qp and location.statut in ("dans", "bande", "limite"):
        st.page_link(
            "pages/carte.py", label="Voir le portrait du quartier", query_params={"quartier": location.code_qp}
        )


def coordinates_form(point: tuple[float, float] | None) -> None:
    with st.form("coordonnees"):
        st.markdown("**Saisir des coordonnées (degrés, WGS84)**")
        lat = st.text_input("Latitude", value=f"{point[0]:.6f}" if point else "", placeholder="50.518")
        lon = st.text_input("Longitude", value=f"{point[1]:.6f}" if point else "", placeholder="2.629")
        if st.form_submit_button("Situer ce point"):
            parsed_lat, parsed_lon = parse_coordinate(lat, -90, 90), parse_coordinate(lon, -180, 180)
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
        "background:#fff;color:#111;cursor:pointer'>Me localiser (position du navigateur)</button>"
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
            "Colonnes attendues : « latitude » et « longitude » en degrés ; séparateur point-virgule ou virgule ; encodage UTF-8 ou Latin-1. "
            + f"Limite : {MAX_BYTES // (1024 * 1024)} Mo et {MAX_ROWS:,} lignes.".replace(",", " ")
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
