// Share recipient page: read the key from the fragment (never sent to the server), fetch and
// decrypt the ciphertext, then ask the server to verify the decrypted documents.
(() => {
  "use strict";
  const panel = document.getElementById("share-open");
  if (!panel) return;
  const status = document.getElementById("open-status");
  const output = document.getElementById("open-results");
  const english = panel.dataset.lang === "en";

  function fromBase64url(text) {
    const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
    const binary = atob(padded);
    return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function tone(statusName) {
    if (statusName === "valid") return "valid";
    if (statusName === "unavailable" || statusName === "not_anchored") return "pending";
    return "invalid";
  }

  function render(result) {
    const article = element("article", "result");
    article.dataset.status = result.status;
    const banner = element("section", "verdict " + tone(result.status));
    banner.dataset.status = result.status;
    banner.append(element("span", "icon", result.status === "valid" ? "✓" : "!"));
    const head = element("div");
    head.append(element("h2", "", english ? result.label.en : result.label.vi));
    const failed = (result.checks || []).find((check) => !check.passed);
    if (failed) head.append(element("p", "sentence", english ? failed.message.en : failed.message.vi));
    banner.append(head);
    article.append(banner);
    const facts = element("dl", "facts shown-list");
    if (result.issuer && result.issuer.name) {
      facts.append(element("dt", "", panel.dataset.msgIssuer));
      facts.append(element("dd", "issuer-name", result.issuer.name));
    }
    (result.shown || []).forEach((row) => {
      facts.append(element("dt", "", english ? row.label_en : row.label_vi));
      facts.append(element("dd", "", row.value));
    });
    article.append(element("h3", "", panel.dataset.msgShown));
    article.append(facts);
    if (result.hiddenCount) {
      const note = element("p", "hidden-count",
                           panel.dataset.msgHidden.replace("{count}", result.hiddenCount));
      note.dataset.hidden = String(result.hiddenCount);
      article.append(note);
    }
    output.append(article);
  }

  async function run() {
    const key = window.location.hash.slice(1);
    if (!key) { status.textContent = panel.dataset.msgNokey; return; }

    const response = await fetch("/v1/shares/" + encodeURIComponent(panel.dataset.share),
                                 { credentials: "omit" });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      status.textContent = panel.dataset.msgFailed.replace(
        "{message}", (english ? body.detail_en : body.detail) || "HTTP " + response.status);
      return;
    }

    let plaintext;
    try {
      const sealed = fromBase64url(body.ciphertext);
      const cryptoKey = await crypto.subtle.importKey("raw", fromBase64url(key), "AES-GCM",
                                                      false, ["decrypt"]);
      plaintext = await crypto.subtle.decrypt({ name: "AES-GCM", iv: sealed.slice(0, 12) },
                                              cryptoKey, sealed.slice(12));
    } catch (error) {
      status.textContent = panel.dataset.msgBadkey;
      return;
    }

    const shared = JSON.parse(new TextDecoder().decode(plaintext));
    const verified = await fetch("/v1/verify/disclosures", {
      method: "POST", credentials: "omit", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ documents: shared.documents }),
    });
    const verdicts = await verified.json().catch(() => ({}));
    if (!verified.ok) {
      status.textContent = panel.dataset.msgFailed.replace(
        "{message}", (english ? verdicts.detail_en : verdicts.detail) || "HTTP " + verified.status);
      return;
    }

    status.textContent = "";
    verdicts.results.forEach(render);
    panel.dataset.done = "yes";
  }

  run().catch((error) => {
    status.textContent = panel.dataset.msgFailed.replace("{message}", error.message);
  });
})();
