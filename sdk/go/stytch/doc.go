// Zero-downtime rotation of Stytch M2M and Connected App client secrets: creating a ClientSecretRotation starts a rotation, `promoted: true` completes it, and removing it before then cancels it.
package stytch
