// The browsing pages: remember the chosen language, and open or close the whole component tree at once.
(function () {
  "use strict";
  const KEY = "innograph.lang";

  // The server reads the "lang" cookie; localStorage keeps the choice if the cookie is cleared.
  document.querySelectorAll("form.language-switch button[name=lang]").forEach((button) => {
    button.addEventListener("click", () => {
      try { window.localStorage.setItem(KEY, button.value); } catch (e) { /* storage may be disabled */ }
    });
  });
  let remembered = null;
  try { remembered = window.localStorage.getItem(KEY); } catch (e) { remembered = null; }
  const hasCookie = document.cookie.split(";").some((part) => part.trim().startsWith("lang="));
  if (!hasCookie && (remembered === "en" || remembered === "zh")) {
    document.cookie = "lang=" + remembered + "; path=/; max-age=31536000; samesite=lax";
    if (remembered !== document.documentElement.lang && document.cookie.indexOf("lang=") >= 0) {
      window.location.reload();
    }
  }

  const controls = document.querySelector(".tree-controls");
  if (controls) {
    controls.hidden = false;
    controls.querySelectorAll("button[data-tree]").forEach((button) => {
      button.addEventListener("click", () => {
        const open = button.dataset.tree === "open";
        document.querySelectorAll("#component-tree details").forEach((d) => { d.open = open; });
      });
    });
  }
})();
