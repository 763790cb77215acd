/* Carte Quartiers 2030: what every map of the app does in the browser (served by the app, cached by the browser).
 *
 * carteQuartiers.init(map, options) is called once by the map's script; layers are then filled from their
 * static GeoJSON files. Tooltips and labels are built as text nodes, never as HTML: a name read from a data
 * file cannot inject markup.
 */
(function (win) {
    "use strict";
    var doc = win.document;
    var state = {map: null, data: {}, fails: [], layers: {}, home: null, untouched: true, homing: false};
    var GESTURE_FRENCH = {
        touch: "Utilisez deux doigts pour déplacer la carte",
        scroll: "Pour zoomer : Ctrl + molette de la souris",
        scrollMac: "Pour zoomer : ⌘ + molette de la souris"
    };
    var HOME_LABEL = "Vue d'ensemble";

    function notice(text) {
        var container = state.map.getContainer();
        var box = container.querySelector(".carte-avis");
        if (!box) {
            box = L.DomUtil.create("div", "carte-avis", container);
            box.setAttribute("role", "status");
        }
        box.textContent = text;
        box.hidden = !text;
    }

    function tooltip(layer, feature, entries) {
        if (!entries) return;
        layer.bindTooltip(function () {
            var box = doc.createElement("div");
            entries.forEach(function (entry) {
                var value = feature.properties[entry[0]];
                if (value === null || value === undefined || value === "") return;
                var line = doc.createElement("div"), label = doc.createElement("b");
                label.textContent = entry[1] + " : ";
                line.appendChild(label);
                line.appendChild(doc.createTextNode(String(value)));
                box.appendChild(line);
            });
            return box;
        }, {sticky: false, direction: "auto", className: "infobulle"});
    }

    function label(feature, latlng) {
        var text = doc.createElement("span");
        text.textContent = feature.properties.nom;
        return L.marker(latlng, {
            pane: "p_etiquettes", interactive: false, keyboard: false,
            icon: L.divIcon({className: "etiquette-commune", html: text, iconSize: null})
        });
    }

    /* A promise settled once the browser has had a moment to draw what is on the map (a frame, or 50 ms in a
       tab that draws no frames). */
    function afterDrawing() {
        return new Promise(function (resolve) {
            var done = false;
            function go() { if (!done) { done = true; win.setTimeout(resolve, 0); } }
            if (win.requestAnimationFrame) win.requestAnimationFrame(go);
            win.setTimeout(go, 50);
        });
    }

    /* The QPV come first: every other layer is filled once the QPV are drawn (or have failed), so the map's
       subject appears without waiting for the communes or the bands, however the files arrive. A map without
       a QPV layer fills every layer as it comes. Settled after the map's script has declared all its layers. */
    function afterQpv() {
        return Promise.resolve().then(function () {
            var qpv = state.data.qpv;
            return qpv ? qpv.then(afterDrawing, afterDrawing) : null;
        });
    }

    /* The layer file at `url`: the answer of the fetch the map's first script started (maps.early_fetch_script),
       else a new fetch. */
    function fetchLayer(url) {
        var early = win.carteQuartiersPrecharge || {};
        if (Object.prototype.hasOwnProperty.call(early, url)) {
            var started = early[url];
            delete early[url];  // taken once: a later map of the same frame asks again
            return started;
        }
        return win.fetch(url).then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); });
    }

    function load(name, source, layer) {
        var request = typeof source === "string" ? fetchLayer(source) : Promise.resolve(source);
        if (name !== "qpv") {
            request = Promise.all([request, afterQpv()]).then(function (both) { return both[0]; });
        }
        state.data[name] = request.then(function (collection) { layer.addData(collection); return collection; });
        state.data[name].catch(function () {
            state.fails.push(name);
            notice("Couche non chargée : " + state.fails.join(", ") + ". Rechargez la page.");
        });
    }

    /* st_folium sends a click 250 ms late (a debounce meant for panning): once its own click handlers have
       recorded the clicked shape, send the same value at once; its delayed send then finds nothing new. */
    function sendSoon() {
        win.setTimeout(function () {
            var g = win.__GLOBAL_DATA__;
            if (!g || !win.Streamlit || !g.returned_objects) return;
            var all = {
                last_clicked: g.lat_lng_clicked,
                last_object_clicked: g.last_object_clicked,
                last_object_clicked_count: g.last_object_clicked_count,
                last_object_clicked_tooltip: g.last_object_clicked_tooltip,
                last_object_clicked_popup: g.last_object_clicked_popup,
                last_active_drawing: g.last_active_drawing
            };
            // Same keys in the same order as st_folium's value, so that its delayed send compares equal.
            if (g.returned_objects.some(function (key) { return !(key in all); })) return;
            var value = {};
            Object.keys(all).forEach(function (key) {
                if (g.returned_objects.indexOf(key) >= 0) value[key] = all[key];
            });
            if (JSON.stringify(value) === JSON.stringify(g.previous_data)) return;
            g.previous_data = value;
            win.Streamlit.setComponentValue(value);
        }, 0);
    }

    /* A GeoJSON layer in its own pane, added to `group` at once and filled when its file arrives. A layer whose
       group starts off the map (switched on in the layer control) is fetched the first time it is switched on. */
    function layer(group, name, source, o) {
        var geo = L.geoJSON(null, {
            pane: "p_" + o.pane,
            interactive: o.interactive,
            style: function () { return o.style; },
            pointToLayer: o.labels ? label : undefined,
            onEachFeature: function (feature, shape) {
                tooltip(shape, feature, o.tooltip);
                if (o.interactive) {
                    shape.on("click", function (e) {
                        if (e.originalEvent) state.hit = {event: e.originalEvent, layer: shape};
                        sendSoon();
                    });
                    shape.on("mouseover", function () { shape.setStyle({weight: 4}); });
                    shape.on("mouseout", function () { shape.setStyle(o.style); });
                }
            }
        }).addTo(group);
        state.layers[name] = geo;
        if (group instanceof L.Map || group._map) {
            load(name, source, geo);
        } else {
            group.once("add", function () { load(name, source, geo); });
        }
        return geo;
    }

    /* The feature of a QPV (code_qp) or QIC (id) among the layers loaded, as a promise. */
    function feature(id) {
        var names = ["qpv", "voisins", "qic"].filter(function (n) { return state.data[n]; });
        return Promise.all(names.map(function (n) { return state.data[n].catch(function () { return null; }); }))
            .then(function (collections) {
                for (var i = 0; i < collections.length; i++) {
                    var features = collections[i] ? collections[i].features : [];
                    for (var j = 0; j < features.length; j++) {
                        var p = features[j].properties;
                        if (p.code_qp === id || p.id === id) return features[j];
                    }
                }
                return null;
            });
    }

    function selection(group, id, style) {
        var geo = L.geoJSON(null, {
            pane: "p_selection", interactive: false, style: function () { return style; }
        }).addTo(group);
        feature(id).then(function (f) { if (f) geo.addData(f); });
        return geo;
    }

    /* st_folium's Python default for the click counter is None, its frontend starts it at 0: the map's first
       report after loading would then look new and rerun the page for nothing (and fade it meanwhile).
       Aligned here, before that report: the first value sent is a real click. */
    function alignFirstReport() {
        var g = win.__GLOBAL_DATA__;
        if (g && g.previous_data && g.previous_data.last_object_clicked_count === null) {
            g.previous_data.last_object_clicked_count = g.last_object_clicked_count;
        }
    }

    /* Issue 17 (accessibility): the map container is a named region, drawing surfaces are hidden from
       assistive technology, a marker without a name is no Tab stop, and the frame allows pinch zoom. */
    function accessible(map, title) {
        var container = map.getContainer();
        container.setAttribute("role", "region");
        container.setAttribute("aria-label", title);
        container.setAttribute("aria-roledescription", "carte");
        doc.querySelectorAll("meta[name=viewport]").forEach(function (viewport) {
            viewport.setAttribute("content", "width=device-width, initial-scale=1.0");
        });
        function hideSurfaces() {
            container.querySelectorAll(".leaflet-pane > svg, .leaflet-pane > canvas").forEach(function (svg) {
                svg.setAttribute("aria-hidden", "true");
                svg.setAttribute("focusable", "false");
            });
        }
        function quietMarker(icon) {
            if (!icon || icon.getAttribute("aria-label") || icon.title) return;
            icon.removeAttribute("role");
            icon.setAttribute("tabindex", "-1");
            icon.setAttribute("aria-hidden", "true");
        }
        map.on("layeradd", function (e) {
            hideSurfaces();
            quietMarker(e.layer._icon);
        });
        /* Leaflet.draw's vertex markers and the result labels may be drawn before this listener: read them all. */
        new win.MutationObserver(function () {
            hideSurfaces();
            container.querySelectorAll(".leaflet-marker-icon[role=button]").forEach(quietMarker);
        }).observe(container, {childList: true, subtree: true});
        hideSurfaces();
    }

    /* The first view: the whole territory as large as the map allows (fractional zoom, so that it fills the
       map's width whenever the map is wider than the territory's shape), above the open legend. */
    function home() {
        var map = state.map;
        if (!state.home) return;
        var legend = map.getContainer().querySelector(".legende-carte[open]");
        // The open legend (bottom right) keeps a strip free, below or to the right, whichever shows more.
        var strips = legend ? [[6, legend.offsetHeight + 14], [legend.offsetWidth + 14, 6]] : [[6, 6]];
        var best = null;
        strips.forEach(function (strip) {
            var zoom = map.getBoundsZoom(state.home, false, L.point(6 + strip[0], 6 + strip[1]));
            if (!best || zoom > best.zoom) best = {zoom: zoom, strip: strip};
        });
        state.homing = true;
        map.fitBounds(state.home, {paddingTopLeft: [6, 6], paddingBottomRight: best.strip, animate: false});
        state.homing = false;
    }

    /* « Vue d'ensemble »: a button under the zoom buttons that brings the whole territory back. */
    function homeControl(map) {
        if (!state.home) return;
        var control = L.control({position: "topleft"});
        control.onAdd = function () {
            var bar = L.DomUtil.create("div", "leaflet-bar vue-ensemble");
            var button = L.DomUtil.create("a", "vue-ensemble-bouton", bar);
            button.href = "#";
            button.setAttribute("role", "button");
            button.title = HOME_LABEL + " (tout le territoire)";
            button.setAttribute("aria-label", HOME_LABEL);
            // A house: « back to the start ». Built as nodes (this file writes no markup from strings).
            var ns = "http://www.w3.org/2000/svg", svg = doc.createElementNS(ns, "svg"), path = doc.createElementNS(ns, "path");
            [["viewBox", "0 0 24 24"], ["width", "20"], ["height", "20"], ["aria-hidden", "true"], ["focusable", "false"]]
                .forEach(function (a) { svg.setAttribute(a[0], a[1]); });
            path.setAttribute("d", "M3 11.5 12 4l9 7.5M5.5 9.5V20h5v-6h3v6h5V9.5");
            [["fill", "none"], ["stroke", "currentColor"], ["stroke-width", "2.2"], ["stroke-linejoin", "round"]]
                .forEach(function (a) { path.setAttribute(a[0], a[1]); });
            svg.appendChild(path);
            button.appendChild(svg);
            L.DomEvent.disableClickPropagation(bar);
            L.DomEvent.on(button, "click", function (e) {
                L.DomEvent.preventDefault(e);
                home();
            });
            return bar;
        };
        control.addTo(map);
    }

    /* Whether the layer point p is inside the polygon rings (layer points), even-odd rule. */
    function inside(p, rings) {
        var odd = false;
        rings.forEach(function (ring) {
            for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
                var a = ring[i], b = ring[j];
                if ((a.y > p.y) !== (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x) odd = !odd;
            }
        });
        return odd;
    }

    /* Distance in CSS pixels from the layer point p to a quartier's shape (0 inside). */
    function distance(p, shape) {
        var rings = shape._rings || [];  // flat list of rings, multipolygons too
        if (!rings.length) return Infinity;
        if (inside(p, rings)) return 0;
        var best = Infinity;
        rings.forEach(function (ring) {
            for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
                best = Math.min(best, L.LineUtil.pointToSegmentDistance(p, ring[j], ring[i]));
            }
        });
        return best;
    }

    /* The quartier under the finger, else the nearest one within `radius` px: a tap target of 2 × radius px
       around every quartier, however small it is drawn. A quartier the finger is on always wins. */
    function quartierAt(point, radius) {
        var map = state.map, p = map.containerPointToLayerPoint(point), found = null, best = radius;
        ["qpv", "voisins", "qic"].forEach(function (name) {
            var geo = state.layers[name];
            if (!geo || !map.hasLayer(geo)) return;
            geo.eachLayer(function (shape) {
                var d = distance(p, shape);
                if (d < best || (d === 0 && best === 0 && !found)) { best = d; found = shape; }
            });
        });
        return found;
    }

    function selectNearest(map, radius) {
        var touch = null;
        // Where the finger really was (a browser may move a tap onto a nearby element before its click).
        map.getContainer().addEventListener("touchstart", function (e) {
            if (e.touches.length !== 1) { touch = null; return; }
            var r = map.getContainer().getBoundingClientRect(), t = e.touches[0];
            touch = {point: L.point(t.clientX - r.left, t.clientY - r.top), time: Date.now()};
        }, {passive: true});
        map.on("click", function (e) {
            var recent = touch && Date.now() - touch.time < 1000;
            var point = recent ? touch.point : e.containerPoint;
            touch = null;
            var hit = state.hit && state.hit.event === e.originalEvent ? state.hit.layer : null;
            var chosen = quartierAt(point, radius);
            if (!chosen || chosen === hit) return;
            chosen.fire("click", {latlng: map.containerPointToLatLng(point), originalEvent: null}, true);
        });
    }

    function init(map, o) {
        state.map = map;
        accessible(map, o.title);
        alignFirstReport();
        // Fractional zoom levels: the territory fills the map's width at the first view, on every screen.
        map.options.zoomSnap = 0.25;
        map.options.zoomDelta = 1;
        if (o.home) {
            state.home = L.latLngBounds(o.home);
            map.on("movestart", function () { if (!state.homing) { state.untouched = false; } });
            map.on("resize", function () { if (state.untouched) home(); });
            home();
        }
        // A tooltip opened by a tap closes when the user taps elsewhere: on the map, or on the page (the frame
        // then loses the focus).
        function closeTooltips(keep) {
            map.eachLayer(function (l) {
                var t = l.getTooltip && l.getTooltip();
                if (l !== keep && t && t.isOpen() && !t.options.permanent) l.closeTooltip();
            });
        }
        map.on("click", function (e) {
            closeTooltips(e.originalEvent && map._targets ? map._targets[L.stamp(e.originalEvent.target)] : null);
        });
        win.addEventListener("blur", function () { closeTooltips(null); });
        if (o.nearestPx) selectNearest(map, o.nearestPx);
        doc.documentElement.lang = "fr";
        Object.keys(o.panes).forEach(function (name) {
            map.createPane("p_" + name).style.zIndex = o.panes[name];
        });
        map.getPane("p_etiquettes").setAttribute("aria-hidden", "true");
        var container = map.getContainer();
        container.setAttribute("aria-label", o.title);
        // The frame itself is named after this map (a page's script only gives a provisional name).
        try {
            if (win.frameElement) {
                win.frameElement.title = o.title;
                win.frameElement.setAttribute("data-titre-carte", "1");
            }
        } catch (e) { /* a page of another origin: its own name stays */ }
        // On a phone the map takes at most half the screen (the page gives its frame the same height).
        try {
            var screen = win.parent;
            if (screen.innerWidth <= o.phoneMaxWidth) {
                container.style.height = Math.min(container.offsetHeight, Math.round(screen.innerHeight * 0.5)) + "px";
                map.invalidateSize();
            }
        } catch (e) { /* a page of another origin: keep the height given */ }
        // The page may give the frame another height than the map's (map first: the rest of the screen): the map
        // follows its frame, whenever the frame is resized.
        function followFrame() {
            var height = win.innerHeight;
            if (height > 150 && Math.abs(container.offsetHeight - height) > 1) {
                container.style.height = height + "px";
                map.invalidateSize({pan: false});
            }
        }
        win.addEventListener("resize", followFrame);
        followFrame();
        if (map.zoomControl) {
            [[map.zoomControl._zoomInButton, "Zoom avant"], [map.zoomControl._zoomOutButton, "Zoom arrière"]]
                .forEach(function (b) { b[0].title = b[1]; b[0].setAttribute("aria-label", b[1]); });
        }
        // Leaflet focuses the map on mousedown; focusing a frame partly out of view scrolls the page between
        // mousedown and mouseup, and the click is lost. Focus without scrolling.
        if (map.keyboard) {
            map.keyboard.disable();
            map.keyboard._onMouseDown = function () {
                if (!this._focused) this._map._container.focus({preventScroll: true});
            };
            map.keyboard.enable();
        }
        map.attributionControl.setPrefix(
            '<a href="https://leafletjs.com" title="Bibliothèque JavaScript de cartes interactives">Leaflet</a>');
        // The wheel scrolls the page and one finger scrolls it on a touch screen; Ctrl (⌘) + wheel and two fingers
        // move and zoom the map, with a French hint (leaflet-gesture-handling, served by the app like Leaflet).
        if (map.gestureHandling) {
            map.options.gestureHandlingOptions = {text: GESTURE_FRENCH, duration: 1500};
            map.gestureHandling.enable();
        }
        // Chromium puts every interactive SVG shape in the Tab order (Leaflet listens for focus on them), which
        // made 200+ unnamed Tab stops: the quartiers are reached through the search, the skip link and the
        // Quartiers page, so the shapes leave the Tab order and the map is a handful of stops (RGAA 12.8).
        map.on("layeradd", function (e) {
            if (e.layer._path) e.layer._path.setAttribute("tabindex", "-1");
        });
        // Tooltips stay inside the map frame.
        map.on("tooltipopen", function (e) {
            var el = e.tooltip.getElement(), box = container.getBoundingClientRect();
            var r = el.getBoundingClientRect(), dx = 0, dy = 0;
            if (r.right > box.right - 4) dx = box.right - 4 - r.right;
            if (r.left + dx < box.left + 4) dx = box.left + 4 - r.left;
            if (r.bottom > box.bottom - 4) dy = box.bottom - 4 - r.bottom;
            if (r.top + dy < box.top + 4) dy = box.top + 4 - r.top;
            if (dx || dy) L.DomUtil.setPosition(el, L.DomUtil.getPosition(el).add([dx, dy]));
        });
        function labels() {
            map.getPane("p_etiquettes").style.display = map.getZoom() >= o.labelsZoom ? "" : "none";
        }
        map.on("zoomend", labels);
        labels();
    }

    /* Scale, legend, French name of the layer switch, and the plain background when tiles cannot load. */
    function extras(map, o, osm, plain) {
        L.control.scale({imperial: false, position: "bottomleft"}).addTo(map);
        // Presentation mode: every text of the map read from the back of a room (carte.css, .carte-presentation).
        if (o.presentation) L.DomUtil.addClass(map.getContainer(), "carte-presentation");
        var legend = L.control({position: "bottomright"});
        legend.onAdd = function () {
            var div = L.DomUtil.create("details", "legende-carte");
            div.open = win.innerWidth > 450;  // map frame: ~550 px and more on a desktop, ~360 on a phone
            div.setAttribute("aria-label", "Légende de la carte");
            div.style.fontSize = o.fontPx + "px";
            div.style.maxWidth = o.maxWidthPx + "px";
            div.innerHTML = o.legend;
            L.DomEvent.disableClickPropagation(div);
            return div;
        };
        legend.addTo(map);
        var legendBox = map.getContainer().querySelector(".legende-carte");
        // A polygon being drawn is never under the legend.
        map.on("draw:drawstart draw:editstart", function () { if (legendBox) legendBox.open = false; });
        homeControl(map);
        // Open only where it hides none of the territory at the first view (beside it, on a wide map); folded
        // otherwise, and always on a phone: one tap opens it.
        if (o.foldOverHome && legendBox && legendBox.open && state.home) {
            var free = map.getBoundsZoom(state.home, false, L.point(12, 12));
            var beside = map.getBoundsZoom(state.home, false, L.point(26 + legendBox.offsetWidth, 12));
            if (beside < free) legendBox.open = false;
        }
        if (state.untouched) home();
        // Until the user moves the map, the first view follows the legend's size (its fonts, opening it).
        if (legendBox && win.ResizeObserver) {
            new win.ResizeObserver(function () { if (state.untouched) home(); }).observe(legendBox);
        }
        var toggle = map.getContainer().querySelector(".leaflet-control-layers-toggle");
        if (toggle) {
            toggle.title = "Couches et fond de carte";
            toggle.setAttribute("aria-label", "Couches et fond de carte");
        }
        // Offline, the OpenStreetMap tiles fail: switch to the plain background, so the switch tells the truth.
        if (osm && plain) {
            var loaded = false, switched = false;
            osm.on("tileload", function () { loaded = true; });
            osm.on("tileerror", function () {
                if (loaded || switched || !map.hasLayer(osm)) return;
                switched = true;
                map.removeLayer(osm);
                map.addLayer(plain);
            });
        }
    }

    win.carteQuartiers = {
        init: init, layer: layer, selection: selection, extras: extras, feature: feature, data: state.data,
        layers: state.layers
    };
})(window);
