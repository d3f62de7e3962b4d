// Draft keeping: typed values are kept in this browser (localStorage) at every
// keystroke and sent to the server every 15 s. If the session has expired, the
// server answers with the login page: the values stay here and come back when
// the form is opened again after signing in.
(function () {
  var form = document.getElementById("ap-form");
  if (!form) return;
  var key = form.dataset.draftKey;
  var url = form.dataset.autosave;
  var status = document.getElementById("ap-autosave");
  var dirty = false;
  // once a draft exists on the server, what this browser kept for "new" is done with
  if (url && form.dataset.newKey) { try { localStorage.removeItem(form.dataset.newKey); } catch (e) {} }

  function values() {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.name === "csrfmiddlewaretoken" || el.name === "action") return;
      out[el.name] = el.value;
    });
    return out;
  }
  function remember() {
    try { localStorage.setItem(key, JSON.stringify({ at: Date.now(), values: values() })); } catch (e) {}
  }
  // Restore what this browser kept: into empty fields, or over the server's draft
  // when the browser's copy is newer (typed after the last save, e.g. when the
  // session had expired and the save went to the login page instead).
  try {
    var kept = JSON.parse(localStorage.getItem(key) || "null");
    var serverAt = parseInt(form.dataset.savedAt || "0", 10);
    if (kept && kept.values) {
      var newer = kept.at > serverAt + 1000;
      var restored = 0;
      Object.keys(kept.values).forEach(function (name) {
        var el = form.elements[name];
        if (!el || !kept.values[name] || el.value === kept.values[name]) return;
        if (!el.value || newer) { el.value = kept.values[name]; restored++; }
      });
      if (restored && status) {
        status.textContent = status.dataset.restored.replace("{n}", restored);
        dirty = true;
      }
    }
  } catch (e) {}
  form.addEventListener("input", function () { dirty = true; remember(); });
  form.addEventListener("submit", function () { remember(); });
  if (!url) return;
  setInterval(function () {
    if (!dirty) return;
    dirty = false;
    var data = new FormData();
    var v = values();
    Object.keys(v).forEach(function (k) { data.append(k, v[k]); });
    data.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
    fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) {
        if (r.redirected || !r.ok) throw new Error("session");
        return r.json();
      })
      .then(function (j) { status.textContent = status.dataset.saved.replace("{t}", j.saved_at); try { localStorage.removeItem(key); } catch (e) {} })
      .catch(function () { dirty = true; status.textContent = status.dataset.failed; });
  }, 15000);
})();
