/* Text limits shown, never enforced by cutting: each textarea with data-maxlength gets a
   "n / max" counter that turns red past the limit; the server refuses an over-long text
   with a message naming the field, and keeps what was typed. */
(function () {
  function attach(area) {
    if (area.dataset.counted) return;
    area.dataset.counted = "1";
    var max = parseInt(area.dataset.maxlength, 10);
    var out = document.createElement("span");
    out.className = "zj-counter";
    area.insertAdjacentElement("afterend", out);
    function update() {
      var n = area.value.length;
      out.textContent = n + " / " + max;
      out.classList.toggle("zj-counter--over", n > max);
    }
    area.addEventListener("input", update);
    update();
  }
  function scan() { document.querySelectorAll("textarea[data-maxlength]").forEach(attach); }
  document.addEventListener("DOMContentLoaded", scan);
  document.addEventListener("turbo:load", scan);
  scan();
})();
