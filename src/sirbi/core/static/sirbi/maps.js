/* SIRBI maps: country shapes from the bundled world-atlas package (no tile server needed): the coarse world
   (1:110m) everywhere, and the member countries at 1:50m on maps of libraries, which zoom on one country;
   a tile layer only when the site sets TILE_URL; libraries in clusters so 100,000 markers stay smooth. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("map-config").textContent);

  function baseMap(element, options) {
    var map = L.map(element, Object.assign({ worldCopyJump: true, minZoom: 2, maxZoom: 18, preferCanvas: true }, options || {}));
    if (config.tiles) {
      L.tileLayer(config.tiles, { attribution: config.attribution, maxZoom: 18 }).addTo(map);
    }
    map.setView([5, -40], 2);
    return map;
  }

  // Rings that cross the antimeridian (Fiji, Kiribati, Russia) would be drawn as bands across the
  // whole map; moving their western longitudes by 360 degrees keeps each ring in one piece.
  function unwrapRing(ring) {
    var lons = ring.map(function (point) { return point[0]; });
    if (Math.max.apply(null, lons) - Math.min.apply(null, lons) <= 180) { return ring; }
    return ring.map(function (point) { return point[0] < 0 ? [point[0] + 360, point[1]] : point; });
  }

  function shapesOf(url) {
    return fetch(url).then(function (r) { return r.json(); }).then(function (topology) {
      var countries = topojson.feature(topology, topology.objects.countries);
      countries.features.forEach(function (feature) {
        var geometry = feature.geometry;
        if (!geometry) { return; }
        if (geometry.type === "Polygon") { geometry.coordinates = geometry.coordinates.map(unwrapRing); }
        if (geometry.type === "MultiPolygon") {
          geometry.coordinates = geometry.coordinates.map(function (polygon) { return polygon.map(unwrapRing); });
        }
      });
      return countries;
    });
  }

  // The world's countries; with `detailed`, the member countries' finer shapes in place of their coarse ones.
  function loadCountries(detailed) {
    if (!detailed) { return shapesOf(config.countries); }
    return Promise.all([shapesOf(config.countries), shapesOf(config.members)]).then(function (both) {
      var fine = {};
      both[1].features.forEach(function (feature) { fine[feature.id] = true; });
      both[0].features = both[0].features.filter(function (feature) { return !fine[feature.id]; })
        .concat(both[1].features);
      return both[0];
    });
  }

  // Tooltips and popups are DOM nodes with text set, never HTML strings: names come from what people typed
  // (a library called "<img onerror=…>" must show those characters, not run them).
  function textNode(text) {
    var span = document.createElement("span");
    span.textContent = text == null ? "" : String(text);
    return span;
  }

  function linkNode(url, text, strong) {
    var link = document.createElement("a");
    link.href = url;
    link.textContent = text == null ? "" : String(text);
    if (!strong) { return link; }
    var bold = document.createElement("strong");
    bold.appendChild(link);
    return bold;
  }

  function lines(first, second) {
    var box = document.createElement("div");
    box.appendChild(first);
    if (second != null && second !== "") {
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(String(second)));
    }
    return box;
  }

  // The members' map on the home page: members coloured and linked to their country page.
  var membersElement = document.getElementById("members-map");
  if (membersElement) {
    var members = JSON.parse(document.getElementById("members-data").textContent);
    var map = baseMap(membersElement);
    loadCountries().then(function (countries) {
      var layer = L.geoJSON(countries, {
        style: function (feature) {
          var member = members[feature.id];
          return { weight: member ? 1 : 0.5, color: "#ffffff", fillOpacity: 1,
                   fillColor: member ? (member.networks ? "#0b5d6b" : "#5fa3ae") : "#c9d1d9" };
        },
        onEachFeature: function (feature, featureLayer) {
          var member = members[feature.id];
          if (!member) { return; }
          featureLayer.bindTooltip(textNode(member.name));
          featureLayer.bindPopup(lines(linkNode(member.url, member.name, true), member.summary));
        }
      }).addTo(map);
      var bounds = L.latLngBounds([]);
      layer.eachLayer(function (l) { if (members[l.feature.id] && l.feature.id !== "724" && l.feature.id !== "620") { bounds.extend(l.getBounds()); } });
      if (bounds.isValid()) { map.fitBounds(bounds.pad(0.05)); }
    });
  }

  // A library's service point (a branch, a mobile library, a reading point): a smaller marker of its own colour.
  function pointMarker(at, name, kind) {
    return L.circleMarker(at, { radius: 5, color: "#5b3a8c", weight: 2, fillColor: "#e9def7", fillOpacity: 1 })
      .bindTooltip(textNode(kind ? name + " (" + kind + ")" : name));
  }

  // A map of libraries (country page, library page, the full map).
  var libraryElement = document.getElementById("library-map");
  if (libraryElement) {
    var libraryMap = baseMap(libraryElement);
    var libraryUrl = libraryElement.dataset.libraryUrl;
    loadCountries(true).then(function (countries) {
      var shapes = L.geoJSON(countries, {
        style: { weight: 0.6, color: "#7d8a99", fillColor: "#f4f1e8", fillOpacity: config.tiles ? 0 : 1 },
        interactive: false
      }).addTo(libraryMap);
      shapes.bringToBack();
      if (libraryElement.dataset.single) {
        // One library: its own marker and its service points (branches, mobile libraries...), no cluster needed.
        var located = [];
        if (libraryElement.dataset.lat) {
          var at = [parseFloat(libraryElement.dataset.lat), parseFloat(libraryElement.dataset.lon)];
          L.circleMarker(at, { radius: 8, color: "#a4361d", weight: 3, fillColor: "#ffffff", fillOpacity: 1 })
            .bindTooltip(textNode(libraryElement.dataset.name)).addTo(libraryMap);
          located.push(at);
        }
        var pointsData = document.getElementById("library-points-data");
        var own = pointsData ? JSON.parse(pointsData.textContent) : [];
        own.forEach(function (p) {
          pointMarker([p.lat, p.lon], p.name, p.kind).addTo(libraryMap);
          located.push([p.lat, p.lon]);
        });
        libraryElement.dataset.markers = String(located.length);
        // Without a tile layer only country shapes are drawn: a street-level zoom would show nothing
        // around the markers, so show the region instead.
        if (located.length > 1 && config.tiles) {
          libraryMap.fitBounds(L.latLngBounds(located).pad(0.2), { maxZoom: 15 });
        } else {
          libraryMap.setView(located[0], config.tiles ? 14 : 6);
        }
        return null;
      }
      var code = libraryElement.dataset.country;
      if (code) {
        shapes.eachLayer(function (l) { if (l.feature.id === code) { libraryMap.fitBounds(l.getBounds()); } });
      }
      return fetch(libraryElement.dataset.points);
    }).then(function (r) { return r && r.json(); }).then(function (data) {
      if (!data) { return; }
      var cluster = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false });
      var markers = data.points.map(function (p) {
        var marker = L.circleMarker([p[1], p[2]], { radius: 6, color: "#0b5d6b", weight: 2, fillColor: "#ffffff", fillOpacity: 1 });
        marker.bindPopup(function () {
          return linkNode(libraryUrl.replace("/0/", "/" + Number(p[0]) + "/"), p[3]);
        });
        return marker;
      });
      (data.service_points || []).forEach(function (p) {
        var marker = pointMarker([p[1], p[2]], p[3], data.kinds[p[4]] || p[4]);
        marker.bindPopup(function () {
          return lines(linkNode(libraryUrl.replace("/0/", "/" + Number(p[0]) + "/"), p[3]), data.kinds[p[4]] || p[4]);
        });
        markers.push(marker);
      });
      cluster.addLayers(markers);
      libraryMap.addLayer(cluster);
      libraryElement.dataset.markers = String(markers.length);
      if (!libraryElement.dataset.country && markers.length && libraryElement.dataset.fit !== "no") {
        // From the points themselves: with chunked loading the cluster holds none of them yet at this moment
        // (its bounds are empty, and padding empty bounds was the map page's script error).
        var bounds = L.latLngBounds(data.points.map(function (p) { return [p[1], p[2]]; }));
        libraryMap.fitBounds(bounds.pad(0.05), { maxZoom: 15 });
      }
      libraryElement.dispatchEvent(new CustomEvent("sirbi:loaded", { detail: { markers: markers.length } }));
    });
  }
  // A map of points given by the page (the regional agenda's activities, a catalog record's holding libraries):
  // one marker each, at its town, or its country when no place is given.
  var agendaElement = document.getElementById("points-map");
  if (agendaElement) {
    var agenda = JSON.parse(document.getElementById("points-data").textContent);
    var agendaMap = baseMap(agendaElement);
    loadCountries().then(function (countries) {
      L.geoJSON(countries, {
        style: { weight: 0.6, color: "#7d8a99", fillColor: "#f4f1e8", fillOpacity: config.tiles ? 0 : 1 },
        interactive: false
      }).addTo(agendaMap).bringToBack();
      var markers = agenda.map(function (item) {
        return L.circleMarker([item.lat, item.lon], { radius: item.exact ? 7 : 5, color: "#6b4b0b", weight: 2,
                                                      fillColor: "#ffffff", fillOpacity: 1 })
          .bindPopup(lines(linkNode(item.url, item.name), item.place))
          .addTo(agendaMap);
      });
      if (markers.length) { agendaMap.fitBounds(L.featureGroup(markers).getBounds().pad(0.3), { maxZoom: 6 }); }
      agendaElement.dataset.markers = String(markers.length);
    });
  }

  // An indicator's choropleth (statistics): member countries filled by class, each labelled with its class
  // number so the map reads without colour; the legend and the table beside it carry the figures.
  var choroplethElement = document.getElementById("choropleth-map");
  if (choroplethElement) {
    var figures = JSON.parse(document.getElementById("choropleth-data").textContent);
    var choropleth = baseMap(choroplethElement, { zoomSnap: 0.25, zoomDelta: 0.5 });
    loadCountries().then(function (countries) {
      var drawn = 0;
      var layer = L.geoJSON(countries, {
        style: function (feature) {
          var country = figures.countries[feature.id];
          if (!country) { return { weight: 0.5, color: "#ffffff", fillOpacity: 1, fillColor: "#e4e7eb" }; }
          var kind = country["class"] ? figures.classes[country["class"]] : null;
          return { weight: 1, color: "#39424e", fillOpacity: 1, fillColor: kind ? kind.colour : "#ffffff",
                   dashArray: kind ? null : "3 3" };
        },
        onEachFeature: function (feature, featureLayer) {
          var country = figures.countries[feature.id];
          if (!country) { return; }
          drawn += 1;
          featureLayer.bindTooltip(textNode(country.name + ": " + country.text));
          featureLayer.on("click", function () { window.location.href = country.url; });
        }
      }).addTo(choropleth);
      var bounds = L.latLngBounds([]);
      layer.eachLayer(function (l) {
        var country = figures.countries[l.feature.id];
        if (!country) { return; }
        bounds.extend(l.getBounds());
        if (country["class"]) {
          var kind = figures.classes[country["class"]];
          L.marker(labelAt(l), { interactive: false, keyboard: false, icon: L.divIcon({
            className: "class-label" + (kind.dark ? " dark" : ""), html: textNode(country["class"]), iconSize: [18, 18] }) })
            .addTo(choropleth);
        }
      });
      if (bounds.isValid()) { choropleth.fitBounds(bounds.pad(0.08)); }
      choroplethElement.dataset.countries = String(drawn);
      choroplethElement.dispatchEvent(new CustomEvent("sirbi:loaded", { detail: { countries: drawn } }));
    });
  }

  // Where a country's label goes: the centre of its largest polygon (islands far away, such as the
  // Canaries or the Galápagos, would pull the centre of the whole shape into the sea).
  function labelAt(featureLayer) {
    var geometry = featureLayer.feature.geometry;
    var polygons = geometry.type === "MultiPolygon" ? geometry.coordinates : [geometry.coordinates];
    var largest = polygons.reduce(function (best, polygon) { return polygon[0].length > best[0].length ? polygon : best; });
    return L.polygon(largest[0].map(function (p) { return [p[1], p[0]]; })).getBounds().getCenter();
  }
})();
