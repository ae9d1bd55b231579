// Runs only in browsers without ES modules (nomodule): the app cannot run there.
(function () {
  var root = document.getElementById("root");
  if (!root) return;
  root.innerHTML =
    "<main class=\"unsupported\"><h1>Your browser is too old for Scenarist</h1>" +
    "<p>Please open this page in a current version of Firefox, Chrome, Edge or Safari.</p></main>";
})();
