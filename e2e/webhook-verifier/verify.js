// Reads {"secret", "body", "headers"} as JSON on stdin and verifies the delivery with the
// Standard Webhooks reference library. Prints the verified payload's type; exits 1 when refused.
const { Webhook } = require("standardwebhooks");

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const { secret, body, headers } = JSON.parse(input);
  try {
    const payload = new Webhook(secret).verify(body, headers);
    console.log(payload.type);
  } catch (e) {
    console.error("refused: " + e.message);
    process.exit(1);
  }
});
