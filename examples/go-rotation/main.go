// A Stytch client secret rotation in Go, with the generated Go SDK of the native provider
// `pulumi-resource-stytch` (install the plugin first: see the README next to this file).
//
// It is a Pulumi program and a deploy command in one:
//
//   - `pulumi up` in this directory runs it as a Pulumi program (the Go language host runs it with no
//     arguments, and it hands `rotations` to pulumi.Run);
//   - `go run . up|preview|refresh|destroy` runs the same `rotations` through the Automation API as an
//     inline program, which needs no Go language host: a pipeline step written in Go. It acts on the stack
//     that PULUMI_STACK names (default `dev`), with the stack config of this directory.
//
// Stack config: `clientId` (the M2M client or Connected App), `promoted` (true once every consumer has the
// new secret), and the provider's own `stytch:projectId`, `stytch:secret` (with --secret), `stytch:baseUrl`.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/pulumi-stytch-client-secret-rotation/sdk/go/stytch"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

// rotations is the program: one rotation of the client that the stack config names.
func rotations(ctx *pulumi.Context) error {
	conf := config.New(ctx, "")
	rotation, err := stytch.NewClientSecretRotation(ctx, "billingWorker", &stytch.ClientSecretRotationArgs{
		ClientId: pulumi.String(conf.Require("clientId")),
		Promoted: pulumi.Bool(conf.GetBool("promoted")),
		Triggers: pulumi.Map{"quarter": pulumi.String("2026-Q4")},
	})
	if err != nil {
		return err
	}
	// A Pulumi secret: encrypted in the state, masked in output; hand it to the consumers from here.
	ctx.Export("billingWorkerSecret", rotation.NewClientSecret)
	ctx.Export("billingWorkerSecretLastFour", rotation.NewClientSecretLastFour)
	ctx.Export("billingWorkerRotation", rotation.Status)
	return nil
}

func main() {
	if len(os.Args) == 1 {
		pulumi.Run(rotations)
		return
	}
	if err := deploy(os.Args[1]); err != nil {
		fmt.Fprintf(os.Stderr, "go-rotation: %v\n", err)
		os.Exit(1)
	}
}

// deploy runs one operation on the stack through the Automation API, printing what the engine prints.
func deploy(operation string) error {
	ctx := context.Background()
	stackName := os.Getenv("PULUMI_STACK")
	if stackName == "" {
		stackName = "dev"
	}
	workDir, err := os.Getwd()
	if err != nil {
		return err
	}
	stack, err := auto.UpsertStackInlineSource(ctx, stackName, "go-rotation", rotations, auto.WorkDir(workDir))
	if err != nil {
		return err
	}
	out := os.Stdout
	switch operation {
	case "up":
		_, err = stack.Up(ctx, optup.ProgressStreams(out), optup.ErrorProgressStreams(os.Stderr))
	case "preview":
		_, err = stack.Preview(ctx, optpreview.ProgressStreams(out), optpreview.ErrorProgressStreams(os.Stderr))
	case "refresh":
		_, err = stack.Refresh(ctx, optrefresh.ProgressStreams(out), optrefresh.ErrorProgressStreams(os.Stderr))
	case "destroy":
		_, err = stack.Destroy(ctx, optdestroy.ProgressStreams(out), optdestroy.ErrorProgressStreams(os.Stderr))
	default:
		return fmt.Errorf("unknown operation %q: want up, preview, refresh or destroy", operation)
	}
	return err
}
