/* Start django-unicorn from a file, not an inline script, so the Content-Security-Policy
   allows only our own scripts. Same call as django-unicorn's {% unicorn_scripts %}: the
   message URL comes from this tag's data-message-url; CSRF header and cookie names are
   Django's defaults (unicorn's own defaults too). */
(function () {
  "use strict";
  var url = document.currentScript.dataset.messageUrl;
  window.Unicorn.init(url, "X-CSRFToken", "csrftoken", { NAME: "morphdom" });
})();
