// The Go program of the native plugin's end-to-end tests (test/e2e/native-languages.test.ts): rotations
// declared with the generated Go SDK (sdk/go, through a replace directive, as a user's program uses it
// before it is published), run as an Automation API inline program. An inline program needs no Go
// language host, and none is built here: this process serves the program to the engine itself.
//
// One run is one operation on an existing stack, as a pipeline step runs it:
//
//	native-go-driver up|preview|refresh|destroy < request.json
//
// The request names the stack, its work directory (Pulumi.yaml, the stack's config) and the rotations the
// program declares (its source, in effect). Everything the engine prints goes to stderr; on success one
// line of JSON goes to stdout: the resource changes by operation. The stack's credentials are its
// `stytch:*` config, read by the engine; the environment (PULUMI_HOME, the backend, the passphrase, PATH
// with the `pulumi` CLI) is the caller's.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/pulumi-stytch-client-secret-rotation/sdk/go/stytch"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// rotation is one ClientSecretRotation of the program: the inputs the tests set. A field the tests
// send that is not here fails the request rather than being dropped.
type rotation struct {
	Name                string  `json:"name"`
	ClientID            string  `json:"clientId"`
	Promoted            *bool   `json:"promoted,omitempty"`
	PromoteAfter        *string `json:"promoteAfter,omitempty"`
	VerifyBeforePromote *bool   `json:"verifyBeforePromote,omitempty"`
}

type request struct {
	Stack     string     `json:"stack"`
	WorkDir   string     `json:"workDir"`
	Rotations []rotation `json:"rotations"`
}

// program declares the rotations and exports what the other languages' programs export: each
// rotation's new secret as `<name>Secret`, and `info` with its public outputs by name.
func program(rotations []rotation) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		info := pulumi.Map{}
		for _, r := range rotations {
			args := &stytch.ClientSecretRotationArgs{ClientId: pulumi.String(r.ClientID)}
			if r.Promoted != nil {
				args.Promoted = pulumi.Bool(*r.Promoted)
			}
			if r.PromoteAfter != nil {
				args.PromoteAfter = pulumi.String(*r.PromoteAfter)
			}
			if r.VerifyBeforePromote != nil {
				args.VerifyBeforePromote = pulumi.Bool(*r.VerifyBeforePromote)
			}
			resource, err := stytch.NewClientSecretRotation(ctx, r.Name, args)
			if err != nil {
				return err
			}
			ctx.Export(r.Name+"Secret", resource.NewClientSecret)
			public := pulumi.Map{
				"clientId": resource.ClientId,
				"lastFour": resource.NewClientSecretLastFour,
				"status":   resource.Status,
				"id":       resource.ID(),
			}
			if r.PromoteAfter != nil {
				public["promoteDueAt"] = resource.PromoteDueAt
			}
			info[r.Name] = public
		}
		ctx.Export("info", info)
		return nil
	}
}

// run performs the operation and returns its resource changes. The engine's output streams to stderr
// as it is printed, so that a caller that kills this process mid-run still has what was printed.
func run(ctx context.Context, stack auto.Stack, operation string) (map[string]int, error) {
	progress := os.Stderr
	// ShowSecrets(false): the summary this package reads after a run carries no plaintext.
	switch operation {
	case "up":
		result, err := stack.Up(ctx, optup.ProgressStreams(progress), optup.ErrorProgressStreams(progress),
			optup.ShowSecrets(false))
		if err != nil {
			return nil, err
		}
		return derefChanges(result.Summary.ResourceChanges), nil
	case "preview":
		result, err := stack.Preview(ctx, optpreview.Diff(), optpreview.ProgressStreams(progress),
			optpreview.ErrorProgressStreams(progress))
		if err != nil {
			return nil, err
		}
		changes := map[string]int{}
		for op, count := range result.ChangeSummary {
			changes[string(op)] = count
		}
		return changes, nil
	case "refresh":
		result, err := stack.Refresh(ctx, optrefresh.ProgressStreams(progress),
			optrefresh.ErrorProgressStreams(progress), optrefresh.ShowSecrets(false))
		if err != nil {
			return nil, err
		}
		return derefChanges(result.Summary.ResourceChanges), nil
	case "destroy":
		result, err := stack.Destroy(ctx, optdestroy.ProgressStreams(progress),
			optdestroy.ErrorProgressStreams(progress), optdestroy.ShowSecrets(false))
		if err != nil {
			return nil, err
		}
		return derefChanges(result.Summary.ResourceChanges), nil
	}
	return nil, fmt.Errorf("unknown operation %q: want up, preview, refresh or destroy", operation)
}

func derefChanges(changes *map[string]int) map[string]int {
	if changes == nil {
		return map[string]int{}
	}
	return *changes
}

func main() {
	if err := mainErr(); err != nil {
		fmt.Fprintf(os.Stderr, "native-go-driver: %v\n", err)
		os.Exit(1)
	}
}

func mainErr() error {
	if len(os.Args) != 2 {
		return fmt.Errorf("usage: native-go-driver up|preview|refresh|destroy < request.json")
	}
	var req request
	decoder := json.NewDecoder(os.Stdin)
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&req); err != nil {
		return fmt.Errorf("reading the request: %w", err)
	}
	ctx := context.Background()
	// The `pulumi` on PATH, whatever its version: the caller pins the CLI.
	cli, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{SkipVersionCheck: true})
	if err != nil {
		return err
	}
	// The work directory holds Pulumi.yaml, so the project is read from there (the name is unused).
	stack, err := auto.SelectStackInlineSource(ctx, req.Stack, "", program(req.Rotations),
		auto.WorkDir(req.WorkDir), auto.Pulumi(cli))
	if err != nil {
		return err
	}
	changes, err := run(ctx, stack, os.Args[1])
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{"changes": changes})
}
