/* Heliograph's one script: the pages work without it. It shows each <time> in the visitor's
   zone (with a toggle back to the site's), relative times for recent moments, staleness
   warnings, a refresh while an incident is open, and search over the archive. */
(function () {
  "use strict";
  var root = document.documentElement;
  var lang = root.lang || "en";
  var siteZone = root.getAttribute("data-tz") || "UTC";
  var visitorZone;
  try { visitorZone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  var KEY = "heliograph-zone";
  var STYLES = {
    full: { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" },
    clock: { hour: "2-digit", minute: "2-digit", timeZoneName: "short" },
    clock_zone: { hour: "2-digit", minute: "2-digit", timeZoneName: "short" },
    date: { day: "numeric", month: "long", year: "numeric" }
  };
  var RECENT = 24 * 3600 * 1000; // relative times for the last day: older ones read better as dates

  function ago(ms) {
    var rtf = new Intl.RelativeTimeFormat(lang, { numeric: "auto", style: "long" });
    var min = Math.round(ms / 60000);
    if (min < 60) return rtf.format(-Math.max(min, 0), "minute");
    var h = Math.round(min / 60);
    if (h < 48) return rtf.format(-h, "hour");
    return rtf.format(-Math.round(h / 24), "day");
  }

  function show(zone) {
    var times = document.querySelectorAll("time[datetime*='T']");
    for (var i = 0; i < times.length; i++) {
      var el = times[i];
      if (!el.hasAttribute("data-orig")) el.setAttribute("data-orig", el.textContent);
      var style = el.getAttribute("data-f") || "full";
      var when = new Date(el.getAttribute("datetime"));
      var text = zone === siteZone ? el.getAttribute("data-orig")
        : new Intl.DateTimeFormat(lang, Object.assign({ timeZone: zone, hourCycle: "h23" }, STYLES[style])).format(when);
      var age = Date.now() - when.getTime();
      if (style !== "date" && style !== "clock_zone" && age >= 0 && age < RECENT) text += " (" + ago(age) + ")";
      el.textContent = text;
    }
    var name = document.querySelector(".zone-name");
    if (name) name.textContent = zone;
    var button = document.querySelector(".zone-toggle");
    if (button && visitorZone !== siteZone) {
      button.hidden = false;
      button.textContent = zone === siteZone
        ? button.getAttribute("data-local").replace("{zone}", visitorZone)
        : button.getAttribute("data-site");
      button.onclick = function () {
        var next = zone === siteZone ? visitorZone : siteZone;
        try { localStorage.setItem(KEY, next === siteZone ? "site" : "local"); } catch (e) { /* private mode */ }
        show(next);
      };
    }
  }

  var chosen = null;
  try { chosen = localStorage.getItem(KEY); } catch (e) { /* private mode */ }
  show(chosen === "site" ? siteZone : visitorZone);
})();

/* How old the page is: a warning once it is older than the site expects (`stale_after`), a
   late promised update told as the time since the last one, and, while an incident is open,
   a reload every minute that waits while the tab is hidden. */
(function () {
  "use strict";
  var root = document.documentElement;
  var lang = root.lang || "en";
  var MINUTE = 60000;
  function ago(ms) {
    var rtf = new Intl.RelativeTimeFormat(lang, { numeric: "auto", style: "long" });
    var min = Math.max(Math.round(ms / MINUTE), 0);
    if (min < 60) return rtf.format(-min, "minute");
    var h = Math.round(min / 60);
    return h < 48 ? rtf.format(-h, "hour") : rtf.format(-Math.round(h / 24), "day");
  }
  function check() {
    var now = Date.now();
    var built = root.getAttribute("data-built");
    var warning = document.querySelector(".stale");
    if (built && warning) {
      var age = now - new Date(built).getTime();
      if (age > Number(root.getAttribute("data-stale")) * 1000) {
        warning.textContent = warning.getAttribute("data-text").replace("{ago}", ago(age));
        warning.hidden = false;
      }
    }
    var promises = document.querySelectorAll(".next[data-due]");
    for (var i = 0; i < promises.length; i++) {
      var p = promises[i];
      if (now > new Date(p.getAttribute("data-due")).getTime()) {
        p.textContent = p.getAttribute("data-late")
          .replace("{ago}", ago(now - new Date(p.getAttribute("data-last")).getTime()));
      }
    }
  }
  check();
  setInterval(check, MINUTE);
  if (root.hasAttribute("data-live")) {
    var loaded = Date.now();
    var reload = function () {
      if (document.visibilityState === "visible" && Date.now() - loaded >= MINUTE) location.reload();
    };
    setInterval(reload, MINUTE);
    document.addEventListener("visibilitychange", reload);
  }
})();

/* The archive: search over titles and update text from the static index (fetched on first
   use), and the month lists filtered by component. */
(function () {
  "use strict";
  var form = document.querySelector(".finder");
  if (!form || !window.fetch) return;
  form.hidden = false;
  var input = form.querySelector("input"), select = form.querySelector("select");
  var results = form.querySelector(".results"), index = null, base = form.getAttribute("data-index");
  var site = base.replace(/search\.json$/, "");

  function filter() {
    var c = select.value;
    var sections = document.querySelectorAll(".month");
    for (var i = 0; i < sections.length; i++) {
      var items = sections[i].querySelectorAll(".titles li"), shown = 0;
      for (var j = 0; j < items.length; j++) {
        var match = !c || (" " + items[j].getAttribute("data-c") + " ").indexOf(" " + c + " ") >= 0;
        items[j].hidden = !match;
        if (match) shown++;
      }
      sections[i].hidden = Boolean(c) && !shown;
    }
    search();
  }

  function search() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    results.textContent = "";
    if (!words.length) return;
    if (!index) {
      fetch(base).then(function (r) { return r.json(); }).then(function (data) { index = data; search(); });
      return;
    }
    var c = select.value, found = 0;
    for (var i = 0; i < index.length && found < 50; i++) {
      var e = index[i], hay = (e.t + " " + e.x).toLowerCase();
      if (c && e.c.indexOf(c) < 0) continue;
      if (!words.every(function (w) { return hay.indexOf(w) >= 0; })) continue;
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = site + e.u;
      a.textContent = e.t;
      li.appendChild(a);
      li.appendChild(document.createTextNode(" " + new Date(e.d).toLocaleDateString(document.documentElement.lang)));
      results.appendChild(li);
      found++;
    }
    if (!found) {
      var none = document.createElement("li");
      none.textContent = form.getAttribute("data-none");
      results.appendChild(none);
    }
  }
  input.addEventListener("input", search);
  select.addEventListener("change", filter);
})();
