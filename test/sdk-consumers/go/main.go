// A Go program using the generated Go SDK (sdk/go) through a replace directive, as a user's program
// would before the SDK is published. test/sdk-compiles.test.ts vets and builds it against sdk/v3
// v3.276.0; it is never run (the native provider's plugin is not built here).
package main

import (
	"github.com/pulumi-stytch-client-secret-rotation/sdk/go/stytch"
	"github.com/pulumi-stytch-client-secret-rotation/sdk/go/stytch/config"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		rotation, err := stytch.NewClientSecretRotation(ctx, "billing-worker", &stytch.ClientSecretRotationArgs{
			ClientId:   pulumi.String("m2m-client-test-d731954d-dab3-4a2b-bdee-07f3ad1be885"),
			ClientKind: stytch.ClientKindM2M,
			Promoted:   pulumi.Bool(false),
			Triggers:   pulumi.Map{"quarter": pulumi.String("2026-Q4")},
		})
		if err != nil {
			return err
		}
		ctx.Export("billingWorkerSecret", rotation.NewClientSecret)
		ctx.Export("baseUrl", pulumi.String(config.GetBaseUrl(ctx)))
		return nil
	})
}
