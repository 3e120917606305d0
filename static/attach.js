// Pictures and files on a form: drop them on the form or paste them into it, see what is
// chosen (with a preview), and take one back before sending. Without this script the
// plain file control does the same job, one choice at a time.
(function () {
  "use strict";

  function sizeText(bytes) {
    var format = new Intl.NumberFormat(document.documentElement.lang || undefined, { maximumFractionDigits: 1 });
    return bytes < 1048576 ? format.format(Math.max(1, Math.round(bytes / 1024))) + " KB"
                           : format.format(bytes / 1048576) + " MB";
  }

  function setUp(box) {
    if (box.dataset.attachReady) return;
    box.dataset.attachReady = "1";
    var input = box.querySelector("input[type=file]");
    var list = box.querySelector(".chosen");
    var form = box.closest("form");
    var maxBytes = Number(box.dataset.maxBytes);
    var maxFiles = Number(box.dataset.maxFiles);
    var chosen = [];
    var previews = [];  // object URLs of the pictures shown: let go when redrawn
    box.classList.add("enhanced");

    function kept() {
      return box.querySelectorAll("input[name=attachment]:checked").length;
    }

    function show(problems) {
      var transfer = new DataTransfer();
      chosen.forEach(function (file) { transfer.items.add(file); });
      input.files = transfer.files;
      list.replaceChildren();
      previews.forEach(function (url) { URL.revokeObjectURL(url); });
      previews = [];
      problems.forEach(function (text) {
        var item = document.createElement("li");
        item.className = "error";
        item.setAttribute("role", "alert");
        item.textContent = text;
        list.append(item);
      });
      chosen.forEach(function (file, index) {
        var item = document.createElement("li");
        if (file.type.indexOf("image/") === 0) {
          var preview = document.createElement("img");
          preview.alt = "";
          preview.width = 48;
          preview.height = 48;
          preview.src = URL.createObjectURL(file);
          previews.push(preview.src);
          item.append(preview);
        }
        var name = document.createElement("span");
        name.textContent = file.name + " (" + sizeText(file.size) + ")";
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "link";
        remove.textContent = box.dataset.remove;
        remove.setAttribute("aria-label", box.dataset.remove + " " + file.name);
        remove.addEventListener("click", function () {
          chosen.splice(index, 1);
          show([]);
          input.focus();
        });
        item.append(name, remove);
        list.append(item);
      });
    }

    function add(files) {
      var problems = [];
      Array.prototype.forEach.call(files, function (file) {
        if (file.size > maxBytes) {
          problems.push(box.dataset.tooLarge.replace("{name}", file.name));
        } else if (chosen.length + kept() >= maxFiles) {
          if (problems.indexOf(box.dataset.tooMany) < 0) problems.push(box.dataset.tooMany);
        } else {
          chosen.push(file);
        }
      });
      show(problems);
    }

    input.addEventListener("change", function () {
      var picked = Array.prototype.slice.call(input.files);
      add(picked);
    });
    form.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
        event.preventDefault();
        form.classList.add("dropping");
      }
    });
    form.addEventListener("dragleave", function (event) {
      if (!form.contains(event.relatedTarget)) form.classList.remove("dropping");
    });
    form.addEventListener("drop", function (event) {
      if (event.dataTransfer && event.dataTransfer.files.length) {
        event.preventDefault();
        form.classList.remove("dropping");
        add(event.dataTransfer.files);
      }
    });
    form.addEventListener("paste", function (event) {
      var files = event.clipboardData && event.clipboardData.files;
      if (files && files.length) {
        event.preventDefault();
        add(files);
      }
    });
  }

  function setUpAll(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("[data-attach]").forEach(setUp);
  }

  document.addEventListener("DOMContentLoaded", function () { setUpAll(document); });
  document.addEventListener("htmx:load", function (event) { setUpAll(event.target); });
})();
