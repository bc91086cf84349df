// Tells the portal the browser's time zone, so that dates show in it
// until the person chooses one on their account page.
(function () {
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return; }
  if (!zone) { return; }
  if (document.cookie.indexOf("tz=" + encodeURIComponent(zone)) < 0) {
    document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax";
  }
  var field = document.getElementById("tz");
  if (field && !field.value) { field.placeholder = zone + " (your browser's)"; }
})();
