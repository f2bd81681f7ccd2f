// DRAFT. Zero-downtime rotation of the client secret of a Stytch M2M client or Connected App: creating a ClientSecretRotation starts a rotation, setting `promoted: true` completes it, and removing it before then cancels it.
package stytch
