/* Maps of a round: buurt outlines and proposal pins (round page, results page), and picking a proposal's
   place by clicking (proposal form). Without JavaScript the pages list the same proposals by buurt, and the
   form takes the place as degrees. Without tiles (MAP_TILE_URL empty) the outlines and pins still show. */
(function () {
  "use strict";

  function draw(element, data) {
    var map = L.map(element, { scrollWheelZoom: false });
    var tiles = element.getAttribute("data-tile-url");
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 19, attribution: element.getAttribute("data-attribution") || "" }).addTo(map);
    }
    var picking = element.hasAttribute("data-pick");
    var outlines = L.geoJSON(data.buurten, {
      style: { color: "#01689b", weight: 2, fillOpacity: 0.08 },
      interactive: !picking,  // while picking, a click on a buurt is a click on the map
      onEachFeature: function (feature, layer) { if (!picking) { layer.bindTooltip(feature.properties.name); } }
    }).addTo(map);
    if (outlines.getBounds().isValid()) { map.fitBounds(outlines.getBounds()); } else { map.setView([52.1, 5.1], 12); }
    data.proposals.forEach(function (p) {
      var link = document.createElement("a");
      link.href = p.url;
      link.textContent = p.title;  // text, never HTML
      L.marker([p.latitude, p.longitude], { title: p.title, alt: p.title }).bindPopup(link).addTo(map);
    });
    return map;
  }

  function pick(map, element) {
    var form = element.closest("form");
    var lat = form.querySelector("input[name=latitude]");
    var lng = form.querySelector("input[name=longitude]");
    var pin = null;
    function place(latlng) {
      if (pin) { pin.setLatLng(latlng); } else { pin = L.marker(latlng, { alt: "" }).addTo(map); }
    }
    if (lat.value && lng.value) { place([parseFloat(lat.value.replace(",", ".")), parseFloat(lng.value.replace(",", "."))]); }
    map.on("click", function (event) {
      lat.value = event.latlng.lat.toFixed(6);
      lng.value = event.latlng.lng.toFixed(6);
      place(event.latlng);
    });
  }

  document.querySelectorAll(".map[data-map-url]").forEach(function (element) {
    if (typeof L === "undefined") { return; }
    element.classList.add("map-active");
    fetch(element.getAttribute("data-map-url"), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var map = draw(element, data);
        if (element.hasAttribute("data-pick")) { pick(map, element); }
      });
  });
})();
