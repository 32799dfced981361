// The recordings page (board/voice): record a prompt in the browser with MediaRecorder, at
// most data-max-seconds long, listen to it, then save it through the page's own form (the
// recording is put in the form's file field, so errors come back as any form's do).
// Without a microphone or MediaRecorder, the file field alone remains.
(function () {
  "use strict";
  if (!window.MediaRecorder || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  var types = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus"];
  var type = types.find(function (t) { return MediaRecorder.isTypeSupported(t); });
  if (!type) return;

  document.querySelectorAll("form.record-form").forEach(function (form) {
    var controls = form.querySelector(".record-controls");
    var start = form.querySelector("[data-record]");
    var stop = form.querySelector("[data-stop]");
    var preview = form.querySelector("[data-preview]");
    var file = form.querySelector("input[type=file]");
    var limit = (parseInt(form.dataset.maxSeconds, 10) || 15) * 1000;
    var recorder = null, timer = null;
    controls.hidden = false;

    function finish() {
      clearTimeout(timer);
      if (recorder && recorder.state === "recording") recorder.stop();
    }

    start.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
        var chunks = [];
        recorder = new MediaRecorder(stream, { mimeType: type, audioBitsPerSecond: 32000 });
        recorder.addEventListener("dataavailable", function (event) { if (event.data.size) chunks.push(event.data); });
        recorder.addEventListener("stop", function () {
          stream.getTracks().forEach(function (track) { track.stop(); });
          var blob = new Blob(chunks, { type: type });
          var name = type.indexOf("webm") >= 0 ? "prompt.webm" : "prompt.ogg";
          var transfer = new DataTransfer();
          transfer.items.add(new File([blob], name, { type: type }));
          file.files = transfer.files;
          if (preview.src) URL.revokeObjectURL(preview.src);
          preview.src = URL.createObjectURL(blob);
          preview.hidden = false;
          stop.hidden = true;
          start.hidden = false;
          form.dataset.recorded = "1";
          preview.focus();
        });
        recorder.start();
        start.hidden = true;
        stop.hidden = false;
        stop.focus();
        timer = setTimeout(finish, limit);
      }).catch(function () {
        controls.hidden = true;
      });
    });
    stop.addEventListener("click", finish);
  });
})();
