// Share page: build disclosures on the server, encrypt them here with AES-256-GCM, store
// only the ciphertext, and put the key in the link's fragment, which browsers never send.
(() => {
  "use strict";
  const form = document.getElementById("share-form");
  if (!form) return;
  const status = document.getElementById("share-status");
  const button = form.querySelector("button[type=submit]");
  const english = form.dataset.lang === "en";

  function base64url(bytes) {
    let text = "";
    bytes.forEach((byte) => { text += String.fromCharCode(byte); });
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function applyPreset(record) {
    const chosen = record.querySelector("input[type=radio]:checked");
    if (!chosen || chosen.value === "custom") return;
    record.querySelectorAll("input.field").forEach((box) => {
      box.checked = box.dataset.presets.split(" ").includes(chosen.value);
    });
  }

  form.querySelectorAll(".share-record").forEach((record) => {
    applyPreset(record);
    record.querySelectorAll("input[type=radio]").forEach((radio) => {
      radio.addEventListener("change", () => applyPreset(record));
    });
    record.querySelectorAll("input.field").forEach((box) => {
      box.addEventListener("change", () => {
        const custom = record.querySelector("input[type=radio][value=custom]");
        if (custom) custom.checked = true;
      });
    });
  });

  async function postJson(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": form.dataset.csrf },
      body: JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error((english ? data.detail_en : data.detail) || "HTTP " + response.status);
    }
    return data;
  }

  async function encrypt(plaintext) {
    const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true,
                                                ["encrypt"]);
    const nonce = crypto.getRandomValues(new Uint8Array(12));
    const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv: nonce },
                                                              key, plaintext));
    const joined = new Uint8Array(nonce.length + sealed.length);
    joined.set(nonce);
    joined.set(sealed, nonce.length);
    const raw = new Uint8Array(await crypto.subtle.exportKey("raw", key));
    return { ciphertext: base64url(joined), key: base64url(raw) };
  }

  async function drawQr(link) {
    const zxing = window.ZXingWASM;
    const target = document.getElementById("share-qr");
    if (!zxing || !target) return;
    zxing.prepareZXingModule({
      overrides: { locateFile: (path) => "/wallet-vendor/zxing-writer/" + path },
    });
    const written = await zxing.writeBarcode(link, { format: "QRCode", scale: 6,
                                                     ecLevel: "M" });
    if (written.error || !written.image) return;
    const image = document.createElement("img");
    image.alt = "QR";
    image.src = URL.createObjectURL(written.image);
    target.replaceChildren(image);
  }

  function chosenRecords() {
    const records = [];
    const hidden = {};
    form.querySelectorAll(".share-record").forEach((record) => {
      const pick = record.querySelector("input[name=record]");
      if (!pick.checked) return;
      const boxes = [...record.querySelectorAll("input.field")];
      records.push({ id: pick.value, fields: boxes.filter((b) => b.checked).map((b) => b.value) });
      hidden[pick.value] = boxes.filter((b) => !b.checked).map((b) => b.value);
    });
    return { records, hidden };
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!window.crypto || !window.crypto.subtle) {
      status.textContent = form.dataset.msgNocrypto;
      return;
    }
    const { records, hidden } = chosenRecords();
    if (!records.length) {
      status.textContent = form.dataset.msgChoose;
      return;
    }
    const childBox = form.querySelector("input[name=child_agrees]");
    const childAgrees = Boolean(childBox && childBox.checked);
    const days = Number(form.querySelector("input[name=days]:checked").value);
    const label = document.getElementById("share-label").value;
    status.textContent = form.dataset.msgWorking;
    button.disabled = true;
    try {
      const built = await postJson("/v1/wallet/disclosures", { records, childAgrees });
      const plaintext = new TextEncoder().encode(JSON.stringify({
        version: 1, documents: built.documents,
      }));
      const sealed = await encrypt(plaintext);
      const scope = { credential_ids: records.map((r) => r.id), hidden_fields: hidden };
      const created = await postJson("/v1/wallet/shares", {
        ciphertext: sealed.ciphertext, recordCount: records.length, label, days, scope,
        childAgrees,
      });
      const link = window.location.origin + created.path + "#" + sealed.key;
      document.getElementById("share-link").value = link;
      form.hidden = true;
      document.getElementById("share-result").hidden = false;
      status.textContent = "";
      await drawQr(link);
    } catch (error) {
      status.textContent = form.dataset.msgFailed.replace("{message}", error.message);
    } finally {
      button.disabled = false;
    }
  });

  const copy = document.getElementById("share-copy");
  if (copy) {
    copy.addEventListener("click", async () => {
      const field = document.getElementById("share-link");
      try {
        await navigator.clipboard.writeText(field.value);
      } catch (error) {
        field.select();
      }
      status.textContent = form.dataset.msgCopied;
    });
  }
})();
