/* The little JavaScript the cabinet has; every page works without it. In the Mini App: reads the
   launch parameters Telegram puts in the URL hash (its own script lives on another host, which the
   CSP does not allow), signs in with the init data, and follows Telegram's theme colours. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  var hash = new URLSearchParams(location.hash.slice(1));
  var initData = hash.get("tgWebAppData");
  var theme = hash.get("tgWebAppThemeParams");
  var store = window.sessionStorage;
  try {
    if (theme) store.setItem("tgTheme", theme);
    else theme = store.getItem("tgTheme");
    if (initData) store.setItem("tgMiniApp", "1");
  } catch (e) { /* storage may be off */ }

  // Telegram's theme as CSS variables (set through the CSSOM, which the CSP allows).
  if (theme) {
    try {
      var params = JSON.parse(theme);
      var names = { bg_color: "--tg-bg", secondary_bg_color: "--tg-secondary-bg", text_color: "--tg-text", hint_color: "--tg-hint",
        link_color: "--tg-link", button_color: "--tg-button", button_text_color: "--tg-button-text" };
      Object.keys(names).forEach(function (key) {
        if (/^#[0-9a-fA-F]{3,8}$/.test(params[key] || "")) root.style.setProperty(names[key], params[key]);
      });
    } catch (e) { /* not JSON: keep the system's scheme */ }
  }

  // Tell Telegram the app is ready and may take the whole height.
  function postEvent(type, data) {
    var message = JSON.stringify({ eventType: type, eventData: data || {} });
    try {
      if (window.TelegramWebviewProxy) window.TelegramWebviewProxy.postEvent(type, JSON.stringify(data || {}));
      else if (window.external && "notify" in window.external) window.external.notify(message);
      else if (window.parent !== window) window.parent.postMessage(message, "https://web.telegram.org");
    } catch (e) { /* not inside Telegram */ }
  }
  postEvent("web_app_ready");
  postEvent("web_app_expand");

  // Opened by Telegram with init data: sign in with it (the server checks Telegram's signature).
  var form = document.getElementById("telegram-sign-in");
  if (initData && form) {
    form.elements.initData.value = initData;
    history.replaceState(null, "", location.pathname + location.search);
    var waiting = document.getElementById("signing-in");
    if (waiting) waiting.hidden = false;
    form.submit();
  }
})();
