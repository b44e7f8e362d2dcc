// SMSStats dashboard: small progressive enhancements. Every page works without this file.
// - campaign page: sections become keyboard-accessible tabs; while the campaign is sending, the
//   page re-reads itself every few seconds and swaps the changed regions in place;
// - new campaign form: live character, encoding, segment and link counts (the same rules as the
//   server's SegmentCounter and LinkExtractor; alphabets and limits come from the form's data-*);
// - providers page: copy buttons;
// - home: remembers the browser's time zone for the overview (cookie smsstats_tz).
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // ---------- Tabs ----------
  function setupTabs() {
    var list = document.querySelector("[data-tabs]");
    if (!list) return;
    var links = Array.prototype.slice.call(list.querySelectorAll("a[data-tab]"));
    if (!links.length) return;
    list.setAttribute("role", "tablist");
    links.forEach(function (a) {
      var id = a.getAttribute("data-tab");
      var panel = document.getElementById(id);
      a.setAttribute("role", "tab");
      a.id = "tab-" + id;
      a.setAttribute("aria-controls", id);
      a.parentElement.setAttribute("role", "presentation");
      if (panel) {
        panel.setAttribute("role", "tabpanel");
        panel.setAttribute("aria-labelledby", "tab-" + id);
      }
      a.addEventListener("click", function (e) {
        e.preventDefault();
        select(id, true);
      });
      a.addEventListener("keydown", function (e) {
        var i = links.indexOf(a);
        var next = null;
        if (e.key === "ArrowRight") next = links[(i + 1) % links.length];
        else if (e.key === "ArrowLeft") next = links[(i - 1 + links.length) % links.length];
        else if (e.key === "Home") next = links[0];
        else if (e.key === "End") next = links[links.length - 1];
        if (next) {
          e.preventDefault();
          select(next.getAttribute("data-tab"), true);
          next.focus();
        }
      });
    });
    function select(id, push) {
      links.forEach(function (a) {
        var on = a.getAttribute("data-tab") === id;
        a.setAttribute("aria-selected", on ? "true" : "false");
        a.tabIndex = on ? 0 : -1;
        var panel = document.getElementById(a.getAttribute("data-tab"));
        if (panel) panel.hidden = !on;
      });
      if (push && history.replaceState) history.replaceState(null, "", "#" + id);
    }
    var initial = (location.hash || "").slice(1);
    var known = links.some(function (a) { return a.getAttribute("data-tab") === initial; });
    select(known ? initial : links[0].getAttribute("data-tab"), false);
    window.smsstatsSelectTab = select;
  }

  // ---------- Live refresh while sending ----------
  function setupLiveRefresh() {
    var page = document.getElementById("campaign-page");
    if (!page || !page.hasAttribute("data-live-refresh") || !window.fetch || !window.DOMParser) return;
    var seconds = parseInt(page.getAttribute("data-live-refresh"), 10) || 5;
    var note = document.getElementById("live-note");
    var timer = null;
    function tick() {
      fetch(location.pathname + location.search, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.text(); })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var focusedId = document.activeElement && document.activeElement.id;
          var selected = document.querySelector("[data-tabs] a[aria-selected='true']");
          Array.prototype.forEach.call(document.querySelectorAll("[data-live]"), function (el) {
            var fresh = el.id && doc.getElementById(el.id);
            if (fresh) el.innerHTML = fresh.innerHTML;
          });
          if (selected && window.smsstatsSelectTab) window.smsstatsSelectTab(selected.getAttribute("data-tab"), false);
          if (focusedId && document.getElementById(focusedId)) document.getElementById(focusedId).focus();
          var still = doc.getElementById("campaign-page");
          if (note) note.textContent = "Updated at " + new Date().toLocaleTimeString() + ".";
          if (still && still.hasAttribute("data-live-refresh")) {
            timer = setTimeout(tick, seconds * 1000);
          } else {
            page.removeAttribute("data-live-refresh");
            if (note) note.textContent = "Sending finished; the numbers are final until receipts, clicks or conversions arrive.";
          }
        })
        .catch(function (err) {
          if (note) note.textContent = "Could not refresh (" + err.message + "); retrying.";
          timer = setTimeout(tick, seconds * 2000);
        });
    }
    timer = setTimeout(tick, seconds * 1000);
    document.addEventListener("visibilitychange", function () {
      if (document.hidden) { clearTimeout(timer); } else { clearTimeout(timer); timer = setTimeout(tick, 500); }
    });
  }

  // ---------- Message counts (mirror of SegmentCounter and LinkExtractor) ----------
  function codePointSet(list) {
    var s = new Set();
    (list || "").split(",").forEach(function (n) { if (n) s.add(parseInt(n, 10)); });
    return s;
  }

  // Packs indivisible characters of the given costs into parts of `capacity` units.
  function pack(costs, capacity) {
    var parts = 1, fill = 0;
    for (var i = 0; i < costs.length; i++) {
      if (fill + costs[i] > capacity) { parts += 1; fill = 0; }
      fill += costs[i];
    }
    return parts;
  }

  // GSM-7 when every code point is in the default alphabet (1 septet) or the extension table
  // (2 septets); else UCS-2 in UTF-16 units. Single part 160 / 70, else 153 / 67 per part.
  function countSegments(text, basic, ext, limits) {
    var cps = Array.from(text);
    var costs = [], gsm = true;
    for (var i = 0; i < cps.length; i++) {
      var cp = cps[i].codePointAt(0);
      if (basic.has(cp)) costs.push(1);
      else if (ext.has(cp)) costs.push(2);
      else { gsm = false; break; }
    }
    var units;
    if (gsm) {
      units = costs.reduce(function (a, b) { return a + b; }, 0);
      return { encoding: "gsm7", units: units, segments: units <= limits[0] ? 1 : pack(costs, limits[1]) };
    }
    var ucosts = cps.map(function (c) { return c.codePointAt(0) > 0xffff ? 2 : 1; });
    units = ucosts.reduce(function (a, b) { return a + b; }, 0);
    return { encoding: "ucs2", units: units, segments: units <= limits[2] ? 1 : pack(ucosts, limits[3]) };
  }

  var WHITE_SPACE = new Set([0x9, 0xa, 0xb, 0xc, 0xd, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004,
    0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000]);
  var IDEOGRAPHIC = new Set([0x3002, 0x3001, 0xff0c, 0xff01, 0xff1f, 0xff1a, 0xff1b]);
  var TRAILING = new Set([".", ",", ";", ":", "!", "?", "'", "\"", "\u2026", "\u201d", "\u2019", "\u00bb"]);
  var BRACKETS = { ")": "(", "]": "[", "}": "{" };

  function isTerminator(c) {
    var cp = c.codePointAt(0);
    if (c === "<" || c === ">" || c === "\"") return true;
    if (IDEOGRAPHIC.has(cp) || WHITE_SPACE.has(cp)) return true;
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
  }

  // Returns [start, end) code-point ranges of the http(s) links of `cps`.
  function extractLinks(cps) {
    var links = [], i = 0;
    function schemeEnd(at) {
      var schemes = ["https://", "http://"];
      for (var s = 0; s < schemes.length; s++) {
        var sc = schemes[s], ok = true;
        for (var k = 0; k < sc.length; k++) {
          var c = cps[at + k];
          if (c === undefined || (c.length === 1 && c >= "A" && c <= "Z" ? c.toLowerCase() : c) !== sc[k]) { ok = false; break; }
        }
        if (ok) return at + sc.length;
      }
      return -1;
    }
    while (i < cps.length) {
      var after = schemeEnd(i);
      var prev = i > 0 ? cps[i - 1] : "";
      var glued = /^[A-Za-z0-9]$/.test(prev);
      if (after < 0 || glued) { i += 1; continue; }
      var end = after;
      while (end < cps.length && !isTerminator(cps[end])) end += 1;
      while (end > after) {
        var last = cps[end - 1];
        if (TRAILING.has(last)) { end -= 1; continue; }
        if (BRACKETS[last]) {
          var opened = 0, closed = 0;
          for (var j = after; j < end; j++) { if (cps[j] === BRACKETS[last]) opened++; else if (cps[j] === last) closed++; }
          if (closed > opened) { end -= 1; continue; }
        }
        break;
      }
      var first = cps[after];
      if (end > after && first !== "/" && first !== "?" && first !== "#") { links.push([i, end]); i = end; }
      else { i = after; }
    }
    return links;
  }

  function graphemes(text) {
    if (window.Intl && Intl.Segmenter) {
      var n = 0, it = new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text)[Symbol.iterator]();
      while (!it.next().done) n++;
      return n;
    }
    return Array.from(text).length;
  }

  function setupCounter() {
    var form = document.getElementById("campaign-form");
    var body = document.getElementById("body");
    if (!form || !body) return;
    var basic = codePointSet(form.getAttribute("data-gsm-basic"));
    var ext = codePointSet(form.getAttribute("data-gsm-extension"));
    var limits = (form.getAttribute("data-limits") || "160,153,70,67").split(",").map(function (n) { return parseInt(n, 10); });
    var shortLen = parseInt(form.getAttribute("data-short-link-length"), 10) || 30;
    var maxLinks = parseInt(form.getAttribute("data-max-links"), 10) || 5;
    function out(name, value) {
      var el = form.querySelector("[data-count='" + name + "']");
      if (el) el.textContent = value;
      return el;
    }
    function update() {
      var text = body.value.replace(/\r\n?/g, "\n");
      var cps = Array.from(text);
      var links = extractLinks(cps);
      var asSent = [], cursor = 0, placeholder = new Array(shortLen + 1).join("0");
      links.forEach(function (l) { asSent.push(cps.slice(cursor, l[0]).join(""), placeholder); cursor = l[1]; });
      asSent.push(cps.slice(cursor).join(""));
      var c = countSegments(asSent.join(""), basic, ext, limits);
      out("characters", String(graphemes(text)));
      out("encoding", c.encoding === "gsm7" ? "GSM-7" : "UCS-2 (Unicode)");
      out("units", String(c.units));
      out("segments", String(c.segments));
      out("segmentsWord", c.segments === 1 ? "segment" : "segments");
      var per = c.encoding === "gsm7" ? (c.segments > 1 ? limits[1] : limits[0]) : (c.segments > 1 ? limits[3] : limits[2]);
      out("perSegment", String(per));
      out("links", String(links.length));
      out("linksWord", links.length === 1 ? "link" : "links");
      var warn = form.querySelector("[data-count='tooManyLinks']");
      if (warn) warn.hidden = links.length <= maxLinks;
      // UCS-2 text to a provider not told the encoding (CampaignCreation.warnings, issue 16).
      var provider = document.getElementById("providerId");
      var option = provider && provider.options[provider.selectedIndex];
      var encodingWarning = document.getElementById("encoding-warning");
      if (encodingWarning) encodingWarning.hidden = !(c.encoding === "ucs2" && option && option.getAttribute("data-mangles-ucs2") === "true");
    }
    body.addEventListener("input", update);
    var providerSelect = document.getElementById("providerId");
    if (providerSelect) providerSelect.addEventListener("change", update);
    update();
    var counts = document.getElementById("counts");
    if (counts) counts.setAttribute("data-live-counts", "on");
  }

  // ---------- New provider: choosing a preset shows its form (the Choose button without script) ----------
  function setupAutosubmit() {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-autosubmit]"), function (s) {
      s.addEventListener("change", function () { if (s.value && s.form) s.form.submit(); });
    });
  }

  // ---------- Copy buttons ----------
  function setupCopy() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-copy]"), function (b) {
      b.addEventListener("click", function () {
        var el = document.getElementById(b.getAttribute("data-copy"));
        if (!el || !navigator.clipboard) return;
        navigator.clipboard.writeText(el.textContent).then(function () {
          var old = b.textContent; b.textContent = "Copied"; setTimeout(function () { b.textContent = old; }, 1500);
        });
      });
    });
  }

  // ---------- Overview: the operator's zone ----------
  // The home's overview is shown in the zone of the smsstats_tz cookie when the URL names none
  // (OverviewPageController): remember the browser's IANA zone there for the next visit.
  function setupZone() {
    if (!document.querySelector("[data-overview-tz]") || !window.Intl) return;
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (!zone || !/^[A-Za-z0-9_+\/-]{1,64}$/.test(zone)) return;
    document.cookie = "smsstats_tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Lax";
  }

  function start() { setupTabs(); setupLiveRefresh(); setupCounter(); setupCopy(); setupAutosubmit(); setupZone(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();

// A form with data-confirm asks before it is sent (deleting a draft); inline handlers are blocked
// by the Content-Security-Policy.
document.addEventListener('submit', function (e) {
  var text = e.target && e.target.getAttribute && e.target.getAttribute('data-confirm');
  if (text && !window.confirm(text)) e.preventDefault();
});
