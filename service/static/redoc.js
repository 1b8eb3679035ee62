// Starts ReDoc on /redoc (a file, not inline: the page's CSP allows no inline script).
// Native scrollbars: the custom ones bring a stylesheet of inline text, which the CSP refuses.
// No search box: ReDoc searches in a worker made from a blob, which the CSP refuses too.
window.addEventListener("load", function () {
  var root = document.getElementById("redoc");
  Redoc.init(root.dataset.openapi, { nativeScrollbars: true, disableSearch: true }, root);
});
