/* {{ site.name }} status for other sites: a script element whose src is
   {{ absolute('embed.js') }} (async) puts a status pill where it stands (or in an element with data-heliograph-status) and,
   during an incident, a banner linking to it. It reads api/v2/summary.json from the status
   site, which must allow the other site's origin (CORS: see docs/deploy.md). */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var base = script.src.replace(/embed\.js(\?.*)?$/, "");
  var words = {{ {
    "none": _("All Systems Operational"),
    "maintenance": _("Service Under Maintenance"),
    "minor": _("Partially Degraded Service"),
    "major": _("Partial System Outage"),
    "critical": _("Major System Outage"),
    "incident": _("Incident:"),
    "page": _("%(name)s Status", name=site.name),
  }|tojson }};
  var colours = { none: "#116329", maintenance: "#0550ae", minor: "#7d4e00", major: "#953800", critical: "#a40e26" };
  var signs = { none: "\u2713", maintenance: "\u2692", minor: "!", major: "!", critical: "\u2716" };
  var host = document.querySelector("[data-heliograph-status]");
  if (!host) {
    host = document.createElement("div");
    script.parentNode.insertBefore(host, script);
  }
  host.setAttribute("lang", {{ lang|tojson }});
  fetch(base + "api/v2/summary.json", { credentials: "omit" })
    .then(function (r) { return r.json(); })
    .then(function (summary) {
      var indicator = summary.status.indicator;
      var colour = colours[indicator] || colours.none;
      var pill = document.createElement("a");
      pill.className = "heliograph-pill";
      pill.href = base;
      pill.title = words.page;
      // a sign and words as well as a colour: status is never told by colour alone
      pill.textContent = (signs[indicator] || "") + " " + (words[indicator] || summary.status.description);
      pill.style.cssText = "display:inline-block;padding:.15em .7em;border-radius:1em;border:1px solid " +
        colour + ";color:" + colour + ";background:#fff;font:600 14px/1.5 system-ui,sans-serif;text-decoration:none";
      host.appendChild(pill);
      var open = (summary.incidents || []).filter(function (i) { return !i.resolved_at; });
      if (open.length) {
        var banner = document.createElement("p");
        banner.className = "heliograph-banner";
        banner.setAttribute("role", "status");
        banner.style.cssText = "margin:.5em 0;padding:.5em .8em;border-left:4px solid " + colour +
          ";background:#fff;color:#1b1f24;font:14px/1.5 system-ui,sans-serif";
        banner.appendChild(document.createTextNode(words.incident + " "));
        var link = document.createElement("a");
        link.href = open[0].shortlink || base;
        link.textContent = open[0].name;
        link.style.color = "#0550ae";
        banner.appendChild(link);
        host.appendChild(banner);
      }
    })
    .catch(function () { /* the status site unreachable: show nothing rather than a wrong pill */ });
})();
