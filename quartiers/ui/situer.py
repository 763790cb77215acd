"""Widgets of the "Ce lieu est-il en QPV ?" page: one point, an address, my position, a CSV file."""

from __future__ import annotations

import hashlib
import json
from html import escape

import streamlit as st

from quartiers import garde
from quartiers.coordonnees import MAX_ENTRY_CHARS, CoordinateError, read_entry
from quartiers.formats import fmt_degrees
from quartiers.maps import PHONE_MAX_WIDTH_PX, DisplayLayers, view_for_bounds
from quartiers.ui.chrome import bring_into_view, is_presentation, link_params
from quartiers.ui.state import as_dict, get_catalogue, get_layers, get_locator, map_value, md, set_point

STATUS_LABELS = {
    "dans": "Dans un QPV",
    "bande": "Dans la bande des 300 m",
    "limite": "À la limite : à vérifier",
    "hors": "Hors QPV et hors bande",
    "invalide": "Coordonnées invalides",
}
ADDRESS_KEY = "adresse_trouvee"  # session state: the last BAN match, shown beside the answer after any rerun
RESULT_KEY = "csv_resultat"  # session state: (content digest, ProcessedFile) of the last uploaded file
WORKER_MIN_BYTES = 256 * 1024  # smaller files are processed inline: starting a worker would cost more
WORKER_TIMEOUT_SECONDS = 60  # the largest file accepted takes about 10 s
WORKER_MEMORY_MB = 1_200  # resident; the largest file accepted peaks at about 540 MB
WORKER_STOPPED = (
    "Le traitement de ce fichier a été arrêté : il demandait trop de temps ou de mémoire au serveur. "
    "Découpez-le en fichiers plus petits, ou retirez les colonnes inutiles."
)
WORKER_FAILED = (
    "Le traitement de ce fichier n'a pas abouti (fichier trop lourd ou mal formé) : vérifiez qu'il s'agit bien d'un "
    "CSV de points, ou découpez-le en fichiers plus petits."
)
LAYOUT_KEY = "situer_disposition"  # the answer, the forms and the map
ANSWER_KEY = "situer_reponse"  # container of the answer
INPUT_KEY = "situer_saisie"  # container of the forms
ANSWER_ID = "reponse"  # id of the answer's heading, scrolled to on a phone after a tap on the map
LAT_KEY, LON_KEY = "saisie_latitude", "saisie_longitude"  # the coordinates form's fields
SHOWN_POINT_KEY = "saisie_point"  # the point last copied into the coordinates form
FORM_ERROR_KEY = "saisie_erreur"  # the French error of the last submitted coordinates
FORM_ERROR_SHOWN_KEY = "saisie_erreur_a_montrer"  # that error is new: the field in error is brought into view
PAIR_KEY = "saisie_paire"  # (point as shown, « Coordonnées lues : … ») after a pair pasted in one box
SHOW_ANSWER_KEY = "reponse_a_montrer"  # a new point was chosen: bring its answer into view (phone)
FOCUS_ANSWER_KEY = "reponse_a_focaliser"  # a form or button chose the point: the keyboard focus goes to the answer
FORM_FIELD_IN_ERROR = "[data-testid=stForm] input[aria-invalid=true]"
VIEW_KEY = "vue_point"  # the view last asked of the map
POINT_ZOOM = 15
LOCATE_REFUSED = (
    "Position refusée ou indisponible\u00a0: le navigateur n'a pas donné votre position. "
    "Saisissez une adresse ou des coordonnées ci-dessous."
)
LOCATE_UNSUPPORTED = (
    "Localisation impossible\u00a0: ce navigateur ne donne pas la position. "
    "Saisissez une adresse ou des coordonnées ci-dessous."
)
# The verdict is the answer's first words: a box with a coloured edge (non-text contrast ≥ 3:1 on white), dark
# text on a near-white ground (≥ 12:1), larger than the body; larger still for a room in presentation mode.
VERDICT_EDGES = {"dans": "#1a3c8f", "bande": "#a14b00", "limite": "#7a5c00", "hors": "#4a4a4a", "invalide": "#b00020"}
VERDICT_STYLES = (
    "<style>.verdict { border: 1px solid #767676; border-left-width: .5rem; border-radius: .4rem;"
    " background: #f7f8fa; color: #111111; padding: .5rem .9rem; margin: .2rem 0 .6rem 0; }"
    " .verdict p { margin: 0; color: #111111; }"
    " .verdict .verdict-titre { font-size: 1.35rem; font-weight: 700; line-height: 1.3; margin-bottom: .2rem; }"
    + "".join(f" .verdict-{statut} {{ border-left-color: {colour}; }}" for statut, colour in VERDICT_EDGES.items())
    + "</style>"
)
PRESENTATION_VERDICT_STYLES = (
    "<style>.verdict { border-width: 3px; border-left-width: 1rem; padding: .7rem 1.2rem; }"
    " .verdict .verdict-titre { font-size: 1.5rem; }"
    # A phone that opened a presentation link is already 1.5× larger: the room's size from a tablet up.
    f" @media (min-width: {PHONE_MAX_WIDTH_PX + 1}px) {{ .verdict .verdict-titre {{ font-size: 1.8rem; }} }}"
    " .verdict .verdict-texte { font-size: 1.1rem; }</style>"
)
# On a laptop the answer and the forms sit beside the map. On a phone the columns stack: the answer first,
# then the map, then the forms (the first column's boxes become items of the stack, ordered).
PHONE_LAYOUT_STYLES = (
    f"<style>@media (max-width: {PHONE_MAX_WIDTH_PX}px) {{"
    f" .st-key-{LAYOUT_KEY} [data-testid='stHorizontalBlock'] {{ flex-direction: column; }}"
    f" .st-key-{LAYOUT_KEY} [data-testid='stColumn']:has(.st-key-{ANSWER_KEY}),"
    f" .st-key-{LAYOUT_KEY} [data-testid='stColumn']:has(.st-key-{ANSWER_KEY}) > [data-testid='stVerticalBlock']"
    " { display: contents; }"
    # Streamlit wraps each keyed box in a layout wrapper: the wrapper is the item that gets ordered.
    f" :is(.st-key-{ANSWER_KEY}, [data-testid='stLayoutWrapper']:has(> .st-key-{ANSWER_KEY}))"
    " { order: 1; width: 100%; }"
    f" .st-key-{LAYOUT_KEY} [data-testid='stColumn']:not(:has(.st-key-{ANSWER_KEY})) {{ order: 2; width: 100%; }}"
    f" :is(.st-key-{INPUT_KEY}, [data-testid='stLayoutWrapper']:has(> .st-key-{INPUT_KEY}))"
    " { order: 3; width: 100%; }"
    "}</style>"
)
BAN_NOTICE = (
    "L'adresse saisie est envoyée au service public de la Base Adresse Nationale (api-adresse.data.gouv.fr) "
    "pour trouver ses coordonnées ; elle n'est pas conservée par cette application."
)


def on_point_click() -> None:
    clicked = as_dict(map_value("carte_situer", "last_clicked"))
    lat, lng = clicked.get("lat"), clicked.get("lng")
    if isinstance(lat, int | float) and isinstance(lng, int | float) and not isinstance(lat, bool):
        st.session_state["point_par_clic"] = True
        st.session_state[SHOW_ANSWER_KEY] = True
        st.session_state.pop(FORM_ERROR_KEY, None)
        set_point(float(lat), float(lng))


def phone_layout_styles() -> None:
    st.html(PHONE_LAYOUT_STYLES)


def bring_answer_into_view() -> None:
    """On a phone, after a tap on the map (or a new point from a form), scroll to the answer's heading."""
    focus = st.session_state.pop(FOCUS_ANSWER_KEY, False)
    if st.session_state.pop(SHOW_ANSWER_KEY, False) or focus:
        bring_into_view(ANSWER_ID, focus=focus)
    elif st.session_state.pop(FORM_ERROR_SHOWN_KEY, False):
        # A refused entry: the focus stays on the field (now marked invalid), in the window.
        bring_into_view(None, focus=True, selector=FORM_FIELD_IN_ERROR)


def _choose_point(lat: float, lon: float) -> None:
    st.session_state.pop(FORM_ERROR_KEY, None)
    st.session_state.pop(PAIR_KEY, None)
    st.session_state[SHOW_ANSWER_KEY] = True
    st.session_state[FOCUS_ANSWER_KEY] = True
    set_point(lat, lon)


def point_answer(point: tuple[float, float] | None) -> None:
    from quartiers.answers import VINTAGE, describe
    from quartiers.batch import swapped_point
    from quartiers.npnru import remarque_regle_b

    if point is None:
        st.info("Aucun lieu choisi : cliquez sur la carte ou saisissez des coordonnées.")
        return
    locator = get_locator()
    if locator is None:
        st.error("Les périmètres des QPV n'ont pas pu être chargés : impossible de répondre.")
        return
    location = locator.locate(*point)
    verdict = STATUS_LABELS.get(location.statut, "")
    st.header("Réponse", anchor=ANSWER_ID)
    swapped = swapped_point(*point)
    if swapped is not None:
        st.warning(
            "La latitude et la longitude semblent inversées : ce point est hors de France métropolitaine, "
            "le point aux coordonnées échangées y est (dans le Pas-de-Calais, la latitude est vers 50,5 et la "
            "longitude vers 2,6)."
        )
        st.button(
            f"Situer plutôt latitude {fmt_degrees(swapped[0])}, longitude {fmt_degrees(swapped[1])}",
            key="echanger_coordonnees",
            on_click=_choose_point,
            args=swapped,
        )
    quartier = get_catalogue().get(location.code_qp) if location.code_qp else None
    verdict_box(location.statut, verdict, describe(location, quartier.nom if quartier else None))
    regle_b = remarque_regle_b(location.npnru_proche, location.distance_npnru_m)
    if regle_b:
        st.info(md(regle_b))
        st.page_link("pages/programme.py", label="Tester un programme", query_params=link_params())
    found = _address_for(point)
    if found is not None:
        st.markdown(md(f"Adresse trouvée par la Base Adresse Nationale : {found.summary()}."))
    st.caption(md(f"Point : latitude {fmt_degrees(point[0])}, longitude {fmt_degrees(point[1])}. {VINTAGE}"))
    if location.code_qp and location.statut in ("dans", "bande", "limite"):
        st.page_link(
            "pages/carte.py",
            label="Voir le portrait du quartier",
            query_params={"quartier": location.code_qp, **link_params()},
        )


def verdict_box(statut: str, verdict: str, sentence: str) -> None:
    """The answer: the verdict in large bold type, then the sentence; read out when it appears (role="status")."""
    st.html(VERDICT_STYLES + (PRESENTATION_VERDICT_STYLES if is_presentation() else ""))
    st.html(
        f'<div class="verdict verdict-{escape(statut)}" role="status" aria-live="polite">'
        f'<p class="verdict-titre">{escape(verdict)}</p><p class="verdict-texte">{escape(sentence)}</p></div>'
    )


def _on_coordinates() -> None:
    """Validate the submitted coordinates once: a new point, or no point at all and the French error."""
    try:
        entry = read_entry(st.session_state.get(LAT_KEY), st.session_state.get(LON_KEY))
    except CoordinateError as exc:
        for name in ("lat", "lon"):
            if name in st.query_params:
                del st.query_params[name]  # the previous answer must not stay on screen
        st.session_state.pop(PAIR_KEY, None)
        st.session_state[FORM_ERROR_KEY] = str(exc)
        st.session_state[FORM_ERROR_SHOWN_KEY] = True
        return
    _choose_point(entry.lat, entry.lon)
    if entry.paire:
        # The boxes show the pair split in two, even when the point is the one already shown.
        st.session_state.pop(SHOWN_POINT_KEY, None)
        st.session_state[PAIR_KEY] = ((f"{entry.lat:.6f}", f"{entry.lon:.6f}"), entry.lu())


def coordinates_form(point: tuple[float, float] | None) -> None:
    """Latitude and longitude typed by hand (or a pair pasted in one box); they show the current point, or what was
    typed if it was refused."""
    shown = (f"{point[0]:.6f}", f"{point[1]:.6f}") if point else None
    # A new point (map, link, address) replaces what was typed; a refused entry (no point) stays as typed.
    # Streamlit forgets the fields' values on another page: copied again when they are missing.
    if shown is not None and (st.session_state.get(SHOWN_POINT_KEY) != shown or LAT_KEY not in st.session_state):
        st.session_state[LAT_KEY], st.session_state[LON_KEY] = shown
        st.session_state[SHOWN_POINT_KEY] = shown
    with st.form("coordonnees"):
        st.markdown("**Saisir des coordonnées (degrés, WGS84)**")
        st.text_input(
            "Latitude",
            key=LAT_KEY,
            placeholder="50.518",
            help="Un nombre en degrés, ou la paire copiée d'un site de cartes\u00a0: « 50.518, 2.629 ».",
            max_chars=MAX_ENTRY_CHARS,
        )
        st.text_input("Longitude", key=LON_KEY, placeholder="2.629", max_chars=MAX_ENTRY_CHARS)
        st.form_submit_button("Situer ce point", on_click=_on_coordinates)
        error = st.session_state.get(FORM_ERROR_KEY)
        if error and point is None:
            st.error(md(error))
        pair = st.session_state.get(PAIR_KEY)
        if pair is not None and pair[0] == shown:
            st.info(pair[1])


def _address_for(point: tuple[float, float]):
    """The BAN match that produced `point`, if the point in the URL is still that address's."""
    stored = st.session_state.get(ADDRESS_KEY)
    if stored is None or not stored.certain:
        return None
    if (f"{stored.lat:.6f}", f"{stored.lon:.6f}") != (f"{point[0]:.6f}", f"{point[1]:.6f}"):
        return None
    return stored


def address_form() -> None:
    """Address search through the BAN: only a house number with a good score is answered in/out."""
    from quartiers.geocoding import MAX_ADDRESS_CHARS, GeocodingUnavailable, geocode

    with st.form("adresse"):
        st.markdown("**Chercher une adresse (nécessite internet)**")
        st.caption(BAN_NOTICE)
        address = st.text_input("Adresse", placeholder="12 rue de la Gare, Béthune", max_chars=MAX_ADDRESS_CHARS)
        submitted = st.form_submit_button("Chercher l'adresse")
    if submitted and address.strip():
        try:
            found = geocode(address.strip())
        except (GeocodingUnavailable, ValueError) as exc:
            st.session_state.pop(ADDRESS_KEY, None)
            st.warning(str(exc))
            return
        if found is None:
            st.session_state.pop(ADDRESS_KEY, None)
            st.warning("Adresse introuvable dans la Base Adresse Nationale.")
            return
        st.session_state[ADDRESS_KEY] = found
        if found.certain:
            st.session_state[FOCUS_ANSWER_KEY] = True
            set_point(found.lat, found.lon)
            st.rerun()
    stored = st.session_state.get(ADDRESS_KEY)
    if stored is not None and not stored.certain:
        st.warning(md(stored.refusal()))


def locate_me_button() -> None:
    """The browser's own geolocation; the position goes into the URL, nothing is stored.

    When the position is refused or unavailable, a warning box (dark text on pale yellow, 15:1) says so and what
    to do instead; the box is in a live region, so a screen reader reads it out (role="alert").
    """
    box = (
        "m.style.cssText='display:block;margin:.5rem 0;padding:.6rem .9rem;border:1px solid #8a6100;"
        "border-left:.4rem solid #8a6100;border-radius:.4rem;background:#fff6dd;color:#2b1f00';"
    )
    st.html(
        "<button id='me-localiser' type='button' style='padding:.4rem .8rem;border:1px solid #333;border-radius:.4rem;"
        "background:#fff;color:#111;cursor:pointer'>Me localiser (position du navigateur)</button>"
        "<span id='me-localiser-etat' role='status' style='margin-left:.5rem'></span>"
        "<div id='me-localiser-msg' role='alert'></div>"
        "<script>(function(){var b=document.getElementById('me-localiser');if(!b)return;"
        "var s=document.getElementById('me-localiser-etat'),m=document.getElementById('me-localiser-msg');"
        f"function warn(t){{s.textContent='';{box}m.textContent=t;}}"
        "b.onclick=function(){m.textContent='';m.style.cssText='';"
        f"if(!navigator.geolocation){{warn({json.dumps(LOCATE_UNSUPPORTED)});return;}}"
        "s.textContent='Localisation en cours…';"
        "navigator.geolocation.getCurrentPosition(function(p){"
        "var u=new URL(window.location.href);u.searchParams.set('lat',p.coords.latitude.toFixed(6));"
        "u.searchParams.set('lon',p.coords.longitude.toFixed(6));window.location.href=u.toString();},"
        f"function(){{warn({json.dumps(LOCATE_REFUSED)});}},{{timeout:20000}});}};}})();</script>",
        unsafe_allow_javascript=True,
    )


def point_layer(point: tuple[float, float] | None):
    from quartiers.maps import selection_group

    return selection_group(None, point, "Lieu choisi")


def territory_view(display: DisplayLayers) -> dict:
    """Centre and zoom showing all of CABBALR and CALL (degrees WGS84)."""
    centre, zoom = view_for_bounds(display.bounds)
    return {"center": (float(centre[0]), float(centre[1])), "zoom": zoom}


def point_view(point: tuple[float, float] | None, display: DisplayLayers) -> dict:
    """The view to ask of the map: the point; after a click, the view as it is; after a refused entry, the
    territory (the map must not stay on a point whose answer is gone, possibly in the sea)."""
    if st.session_state.pop("point_par_clic", False):
        return st.session_state.get(VIEW_KEY, {})
    if point:
        view = {"center": point, "zoom": POINT_ZOOM}
    elif st.session_state.get(VIEW_KEY):
        view = territory_view(display)
    else:
        view = {}  # the map's own first view (the territory, fitted to its size)
    st.session_state[VIEW_KEY] = view
    return view


def _process_in_worker(content: bytes, name: str, layers):
    """Process an upload in a guarded child process (quartiers.garde): a heavy file never holds the app's process,
    and is stopped beyond WORKER_TIMEOUT_SECONDS or WORKER_MEMORY_MB. Raises garde.GuardError when stopped."""
    from quartiers.batch import process_upload_job

    return garde.run(
        process_upload_job,
        content,
        name,
        layers.qpv,
        layers.epci,
        seconds=WORKER_TIMEOUT_SECONDS,
        memory_mb=WORKER_MEMORY_MB,
    )


def _process(content: bytes, name: str):
    """Process an upload: inline when small, else in the guarded child process (the page waits, others don't).

    A child that could not start leaves the file to this process; one that failed or was stopped means the file is
    refused (processing it here would hold the app the same way).
    """
    from quartiers.batch import ProcessedFile, process_upload

    if len(content) >= WORKER_MIN_BYTES:
        try:
            return _process_in_worker(content, name, get_layers())
        except garde.GuardError as exc:
            return ProcessedFile.refused(name, WORKER_FAILED if "Calcul arrêté" not in str(exc) else WORKER_STOPPED)
        except OSError:
            pass  # the child could not start: this file is processed inline
    return process_upload(content, name, get_locator())


CSV_EXTENSIONS = ("csv", "txt", "tsv")


def refusal_text(suffix: str) -> str:
    """A file of another type, refused in words: what it was and which types are accepted."""
    kind = f"« .{suffix} »" if suffix else "sans extension"
    return (
        f"Fichier refusé : type {kind} non accepté. Déposez un fichier CSV (.csv, .txt ou .tsv) ; "
        "un classeur Excel s'enregistre en CSV par « Enregistrer sous », format « CSV (séparateur : point-virgule) »."
    )


CSV_MESSAGE_KEY = "csv_message"  # what a dropped file produced: its summary, or why it was refused
_CSV_FOCUSED = "csv_focalise"


def _focus_message_once(file_key: str) -> None:
    """After a new upload, by keyboard too, the focus goes to what the file produced (once per file)."""
    if st.session_state.get(_CSV_FOCUSED) != file_key:
        st.session_state[_CSV_FOCUSED] = file_key
        bring_into_view(None, focus=True, selector=f".st-key-{CSV_MESSAGE_KEY}")


def batch_section() -> None:
    """Upload a CSV of points, download it back with the QPV columns; nothing is kept on the server."""
    from quartiers.answers import count_text
    from quartiers.batch import MAX_MEGABYTES, MAX_ROWS, OUTPUT_COLUMNS

    st.header("Situer tout un fichier (CSV)")
    st.markdown(
        md(
            "Colonnes attendues : « latitude » et « longitude » en degrés (ou « x » et « y » en Lambert-93, "
            "mètres) ; séparateur point-virgule, virgule ou tabulation ; encodage UTF-8, UTF-16 ou Latin-1. "
            + f"Taille maximale : {MAX_MEGABYTES} Mo et {count_text(MAX_ROWS, 'ligne', 'lignes')}.".replace(
                "\u202f", " "
            )
            + f" Colonnes ajoutées : {', '.join(OUTPUT_COLUMNS)} (suffixe « _2 » pour un nom que le fichier a déjà : "
            "vos colonnes sont toutes gardées). Le fichier n'est pas conservé."
        )
    )
    # Streamlit's own drop-zone text is English and repeats the limit: the French sentence above replaces it.
    st.html("<style>[data-testid='stFileUploaderDropzoneInstructions']{display:none}</style>")
    # No `type=`: Streamlit would refuse another file with an English tooltip only; refused here, in French.
    uploaded = st.file_uploader("Fichier CSV à situer", key="fichier_csv", max_upload_size=MAX_MEGABYTES)
    if uploaded is None:
        st.session_state.pop(RESULT_KEY, None)
        st.session_state.pop(_CSV_FOCUSED, None)
        return
    suffix = uploaded.name.rsplit(".", 1)[-1].lower() if "." in uploaded.name else ""
    if suffix not in CSV_EXTENSIONS:
        with st.container(key=CSV_MESSAGE_KEY):
            st.error(md(refusal_text(suffix)))
        _focus_message_once(uploaded.name + str(uploaded.size))
        return
    if get_locator() is None:
        st.error("Les périmètres des QPV n'ont pas pu être chargés : impossible de traiter le fichier.")
        return
    content = uploaded.getvalue()
    digest = hashlib.sha256(content).hexdigest() + uploaded.name
    cached = st.session_state.get(RESULT_KEY)
    if cached is None or cached[0] != digest:
        with st.spinner("Traitement du fichier en cours…"):
            processed = _process(content, uploaded.name)
        st.session_state[RESULT_KEY] = (digest, processed)
    else:
        processed = cached[1]
    if processed.error:
        with st.container(key=CSV_MESSAGE_KEY):
            st.error(md(processed.error))
        _focus_message_once(digest)
        return
    how = f"Fichier lu en {processed.encoding}, séparateur : {processed.separator_name}. "
    show = {"success": st.success, "warning": st.warning, "error": st.error}[processed.level]
    with st.container(key=CSV_MESSAGE_KEY):
        show(md(how + processed.summary))
    _focus_message_once(digest)
    st.download_button(
        "Télécharger le résultat (CSV)",
        processed.csv,
        file_name=processed.name,
        mime="text/csv",
        key="resultat_csv",
    )
    shown = count_text(len(processed.preview), "ligne affichée", "lignes affichées")
    st.caption(f"Aperçu ({shown}, les premières du fichier) :")
    if processed.preview_note:
        st.caption(md(processed.preview_note))
    st.dataframe(processed.preview, hide_index=True)
