// --- stored email rule: identical in every resolver that returns a follow's email ---
// * A follow's email is stored only from a verified ID-token claim (Mutation.action), so it is an
//   address or absent; absent reads as null.
// * A stored value that is not an address (release 0.1 stored the username when the token had no
//   email claim) reads as null too.
const EMAIL_PATTERN = '^[^@\\s]+@[^@\\s]+$';

function storedEmail(item) {
  return typeof item.email === 'string' && util.matches(EMAIL_PATTERN, item.email) ? item.email : null;
}
// --- end of stored email rule ---
