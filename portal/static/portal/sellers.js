// The seller's page: "Copy" buttons copy their link (data-copy names the input).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button) return;
  var input = document.getElementById(button.getAttribute("data-copy"));
  if (!input) return;
  var done = function () { button.textContent = button.getAttribute("data-copied"); };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(input.value).then(done, function () {
      input.select(); document.execCommand("copy"); done();
    });
  } else {
    input.select(); document.execCommand("copy"); done();
  }
});
