/* Carte Quartiers 2030: what every map of the app does in the browser (served by the app, cached by the browser).
 *
 * carteQuartiers.init(map, options) is called once by the map's script; layers are then filled from their
 * static GeoJSON files. Tooltips and labels are built as text nodes, never as HTML: a name read from a data
 * file cannot inject markup.
 */
(function (win) {
    "use strict";
    var doc = win.document;
    var state = {map: null, data: {}, fails: []};

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

    function load(name, source, layer) {
        var request = typeof source === "string"
            ? win.fetch(source).then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
            : Promise.resolve(source);
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

    /* A GeoJSON layer in its own pane, added to `group` at once and filled when its file arrives. */
    function layer(group, name, source, o) {
        var geo = L.geoJSON(null, {
            pane: "p_" + o.pane,
            interactive: o.interactive,
            style: function () { return o.style; },
            pointToLayer: o.labels ? label : undefined,
            onEachFeature: function (feature, shape) {
                tooltip(shape, feature, o.tooltip);
                if (o.interactive) {
                    shape.on("click", sendSoon);
                    shape.on("mouseover", function () { shape.setStyle({weight: 4}); });
                    shape.on("mouseout", function () { shape.setStyle(o.style); });
                }
            }
        }).addTo(group);
        load(name, source, geo);
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

    function init(map, o) {
        state.map = map;
        accessible(map, o.title);
        alignFirstReport();
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
        // On a touch screen one finger scrolls the page; two fingers move and zoom the map.
        if (win.matchMedia("(pointer: coarse)").matches) {
            map.dragging.disable();
            container.addEventListener("touchmove", function (e) {
                if (e.touches.length !== 1) return;
                notice("Utilisez deux doigts pour déplacer la carte.");
                win.clearTimeout(state.timer);
                state.timer = win.setTimeout(function () { notice(""); }, 1500);
            }, {passive: true});
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
        init: init, layer: layer, selection: selection, extras: extras, feature: feature, data: state.data
    };
})(window);
