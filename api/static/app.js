// hocba verification pages: print button, drag and drop, QR scanning (camera or picture).
// The decoder is zxing-wasm, served by this app under /static/vendor/zxing-wasm/.
// The check of the decoded text here is a convenience: the server parses it strictly.
"use strict";

(function () {
  const LINK = /^https?:\/\/[^\s/?#]+\/v1\/c\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\?h=[A-Za-z0-9_-]{22}$/;

  function bindPrint() {
    for (const button of document.querySelectorAll("[data-action=print]")) {
      button.addEventListener("click", () => window.print());
    }
  }

  function bindDrop() {
    const zone = document.getElementById("dropzone");
    const input = document.getElementById("upload-files");
    const form = document.getElementById("upload-form");
    if (!zone || !input || !form) return;
    zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      zone.classList.remove("over");
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      input.files = event.dataTransfer.files;
      form.submit();
    });
  }

  function scanner() {
    const panel = document.getElementById("scan-panel");
    if (!panel) return;
    const status = document.getElementById("scan-status");
    const say = (key) => { status.textContent = panel.dataset[key] || ""; };
    const lang = panel.dataset.lang === "en" ? "en" : "vi";
    const zxing = window.ZXingWASM;
    const startButton = document.getElementById("scan-start");
    const stopButton = document.getElementById("scan-stop");
    const video = document.getElementById("scan-video");
    const picture = document.getElementById("scan-image");
    if (panel.dataset.camera !== "yes" || !zxing) {
      if (startButton) startButton.disabled = true;
      if (panel.dataset.camera === "yes") say("msgUnavailable");
      return;
    }
    zxing.prepareZXingModule({
      overrides: { locateFile: (path) => "/static/vendor/zxing-wasm/" + path },
    });
    const options = { formats: ["QRCode"], tryHarder: true, maxNumberOfSymbols: 1 };

    function open(text) {
      if (!LINK.test(text)) { say("msgForeign"); return false; }
      // The server checks the link against its allow-list before showing a verdict.
      window.location.assign("/scan?lang=" + lang + "&url=" + encodeURIComponent(text));
      return true;
    }

    async function decode(source) {
      const found = await zxing.readBarcodes(source, options);
      return found.length ? found[0].text : null;
    }

    picture.addEventListener("change", async () => {
      const file = picture.files && picture.files[0];
      if (!file) return;
      say("msgSearching");
      try {
        const text = await decode(file);
        if (text === null) { say("msgNone"); return; }
        open(text);
      } catch (error) {
        say("msgNone");
      }
    });

    let stream = null;
    let timer = null;
    const canvas = document.createElement("canvas");

    function stop() {
      if (timer) clearInterval(timer);
      timer = null;
      if (stream) for (const track of stream.getTracks()) track.stop();
      stream = null;
      video.hidden = true;
      stopButton.hidden = true;
      startButton.hidden = false;
    }

    async function tick() {
      if (!stream || video.readyState < 2) return;
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      const context = canvas.getContext("2d", { willReadFrequently: true });
      context.drawImage(video, 0, 0);
      const text = await decode(context.getImageData(0, 0, canvas.width, canvas.height));
      if (text !== null && open(text)) stop();
    }

    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      startButton.disabled = true;
      say("msgUnavailable");
      return;
    }
    startButton.addEventListener("click", async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      } catch (error) {
        say("msgDenied");
        return;
      }
      video.srcObject = stream;
      video.hidden = false;
      stopButton.hidden = false;
      startButton.hidden = true;
      await video.play();
      say("msgSearching");
      timer = setInterval(tick, 300);
    });
    stopButton.addEventListener("click", stop);
  }

  document.addEventListener("DOMContentLoaded", () => {
    bindPrint();
    bindDrop();
    scanner();
  });
})();
