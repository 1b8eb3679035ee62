// The operator's draft forms: pictures pasted into the body (a screenshot, a picture copied
// from a page) join the pictures chosen in the form, and the chosen pictures are listed by
// name. Without this script the form still takes pictures chosen with the file picker.
(function () {
  "use strict";

  var input = document.getElementById("picture-files");
  var list = document.getElementById("picked");
  if (!input || !list || typeof DataTransfer === "undefined") return;

  function show() {
    list.textContent = "";
    Array.prototype.forEach.call(input.files, function (file) {
      var item = document.createElement("li");
      item.textContent = file.name + " (" + Math.ceil(file.size / 1024) + " KB)";
      list.appendChild(item);
    });
  }

  function add(files) {
    var joined = new DataTransfer();
    Array.prototype.forEach.call(input.files, function (f) { joined.items.add(f); });
    files.forEach(function (f) { joined.items.add(f); });
    input.files = joined.files;
    show();
  }

  input.addEventListener("change", show);
  document.addEventListener("paste", function (event) {
    var form = input.form;
    if (!form || !form.contains(event.target) || !event.clipboardData) return;
    var pictures = [];
    Array.prototype.forEach.call(event.clipboardData.items, function (item, index) {
      if (item.kind !== "file" || item.type.indexOf("image/") !== 0) return;
      var file = item.getAsFile();
      if (!file) return;
      var ext = item.type.split("/")[1].replace("jpeg", "jpg");
      var stamp = new Date().toISOString().replace(/[^0-9]/g, "").slice(0, 14);
      pictures.push(new File([file], "pasted-" + stamp + "-" + index + "." + ext,
                             {type: item.type}));
    });
    if (!pictures.length) return;  // text pastes as text
    event.preventDefault();
    add(pictures);
  });
})();
