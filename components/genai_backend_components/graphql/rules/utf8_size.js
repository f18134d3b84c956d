// --- utf8 size rule: identical in every resolver that limits a size in bytes ---
// * DynamoDB counts an item's size in UTF-8 bytes (400 KB at most); a limit in characters lets through
//   three times as much CJK text.
// * AppSync's utilities use UTF-8 (AWS AppSync "Built-in utilities"), so base64 has 4 characters per
//   3 bytes; '=' appears only as padding. (String.charCodeAt is not available in APPSYNC_JS.)
function utf8ByteLength(text) {
  const unpadded = util.base64Encode(text).split('=')[0];
  return Math.floor((unpadded.length * 3) / 4);
}
// --- end of utf8 size rule ---
