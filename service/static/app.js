// The pages' one script (the Content-Security-Policy allows no inline script): keyboard
// shortcuts, going from finding to finding, tapping a mark to read its finding, enlarging a
// picture, and printing. Every page works without it; it only saves steps.
(function () {
  "use strict";

  function typing(event) {
    var t = event.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }

  function toggle(id, show) {
    var box = document.getElementById(id);
    if (!box) return;
    box.hidden = show === undefined ? !box.hidden : !show;
    if (!box.hidden) {
      var focusable = box.querySelector("button, a");
      if (focusable) focusable.focus();
    }
  }

  document.addEventListener("click", function (event) {
    var closer = event.target.closest("[data-close]");
    if (closer) toggle(closer.getAttribute("data-close"), false);
    var printer = event.target.closest("[data-print]");
    if (printer) window.print();
    var zoom = event.target.closest("[data-zoom]");
    if (zoom) {
      var row = document.getElementById(zoom.getAttribute("data-zoom"));
      var on = row.classList.toggle("zoomed");
      zoom.setAttribute("aria-pressed", on ? "true" : "false");
    }
  });

  // -- a draft: from finding to finding --------------------------------------------------------
  var lines = Array.prototype.slice.call(document.querySelectorAll("#finding-lines > li"));
  var current = -1;
  var position = document.getElementById("finding-position");

  function lineOfTarget(id) {
    for (var i = 0; i < lines.length; i++) {
      if (lines[i].getAttribute("data-target") === id || lines[i].id === id) return i;
    }
    return -1;
  }

  function show(i, scroll) {
    if (!lines.length) return;
    document.querySelectorAll(".current").forEach(function (el) { el.classList.remove("current"); });
    current = (i + lines.length) % lines.length;
    var line = lines[current];
    var index = line.id.replace("finding-", "");
    line.classList.add("current");
    var marks = document.querySelectorAll("a.mark[data-findings]");
    marks.forEach(function (mark) {
      if (mark.getAttribute("data-findings").split(",").indexOf(index) >= 0) mark.classList.add("current");
    });
    var target = document.getElementById(line.getAttribute("data-target"));
    if (target) target.classList.add("current");
    if (position) position.textContent = (current + 1) + " / " + lines.length;
    if (scroll && target) target.scrollIntoView({block: "center"});
  }

  function step(by) {
    var next = current < 0 ? (by > 0 ? 0 : lines.length - 1) : current + by;
    var line = lines[(next + lines.length) % lines.length];
    if (!line) return;
    history.replaceState(null, "", "#" + line.getAttribute("data-target"));
    show(next, true);
  }

  document.querySelectorAll("[data-step]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      step(parseInt(button.getAttribute("data-step"), 10));
    });
  });

  function fromHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) return;
    var i = lineOfTarget(id);
    if (i >= 0) show(i, true);
  }
  window.addEventListener("hashchange", fromHash);
  if (lines.length) fromHash();

  // Tapping a mark shows what was found there (phones have no hover).
  var panel = document.getElementById("finding-panel");
  document.addEventListener("click", function (event) {
    var mark = event.target.closest("a.mark[data-findings]");
    if (!mark || !panel) return;
    event.preventDefault();
    var body = document.getElementById("finding-panel-body");
    body.textContent = "";
    mark.getAttribute("data-findings").split(",").forEach(function (index) {
      var line = document.getElementById("finding-" + index);
      if (!line) return;
      var head = document.createElement("p");
      var link = document.createElement("a");
      link.href = "#finding-" + index;
      link.textContent = line.querySelector(".goto").textContent.replace(/\s+/g, " ").trim();
      head.appendChild(link);
      var explain = document.createElement("p");
      explain.textContent = line.querySelector(".explain").textContent;
      body.appendChild(head);
      body.appendChild(explain);
      show(lines.indexOf(line), false);
    });
    panel.hidden = false;
  });

  // -- sign-off by keyboard ----------------------------------------------------------------------
  var form = document.getElementById("signoff");
  var comment = document.getElementById("comment");
  var pending = null;

  function press(decision) {
    if (!form) return false;
    var button = form.querySelector("button[value='" + decision + "']");
    if (!button) return false;
    if ((decision === "changes" || decision === "reject") && comment && !comment.value.trim()
        && !form.ownerDocument.querySelector("input[name^='fc-']:not([value=''])")) {
      pending = decision;
      comment.focus();
      return true;
    }
    button.click();
    return true;
  }

  if (comment) {
    comment.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && pending) {
        event.preventDefault();
        form.querySelector("button[value='" + pending + "']").click();
      }
    });
  }

  // -- the queue -------------------------------------------------------------------------------
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.queue tr.row"));
  var row = -1;

  function choose(i) {
    if (!rows.length) return;
    if (row >= 0) rows[row].classList.remove("current");
    row = Math.max(0, Math.min(rows.length - 1, i));
    rows[row].classList.add("current");
    var link = rows[row].querySelector("a.open");
    if (link) link.focus();
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      toggle("shortcuts", false);
      if (panel) panel.hidden = true;
      return;
    }
    if (typing(event) || event.altKey || event.ctrlKey || event.metaKey) return;
    var key = event.key;
    var handled = true;
    if (key === "?") toggle("shortcuts");
    else if (rows.length && key === "j") choose(row + 1);
    else if (rows.length && key === "k") choose(row - 1);
    else if (rows.length && (key === "o" || key === "Enter") && row >= 0) location.href = rows[row].getAttribute("data-href");
    else if (rows.length && key === "x" && row >= 0) {
      var box = rows[row].querySelector("input[type=checkbox]");
      if (box) box.checked = !box.checked;
    }
    else if (key === "/" && document.getElementById("q")) document.getElementById("q").focus();
    else if (lines.length && key === "j") step(1);
    else if (lines.length && key === "k") step(-1);
    else if (key === "a") handled = press("approve");
    else if (key === "n") handled = press("approve-next");
    else if (key === "c") handled = press("changes");
    else if (key === "r") handled = press("reject");
    else handled = false;
    if (handled) event.preventDefault();
  });
})();
