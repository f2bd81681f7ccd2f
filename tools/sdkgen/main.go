// Command sdkgen writes the TypeScript, Python and Go SDKs of a Pulumi package from its schema, with
// Pulumi's own code generators (github.com/pulumi/pulumi/pkg/v3/codegen/{nodejs,python,go}); see
// driver.Main for its command line.
//
// `pulumi package gen-sdk` would do the same, but it hands each language to that language's host
// (pulumi-language-nodejs, -python, -go), which the Go module proxy does not serve. The generators
// themselves are plain Go packages of pkg/v3.
package main

import (
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"

	"github.com/pulumi-stytch-client-secret-rotation/tools/sdkgen/driver"
)

// Set with -ldflags -X by scripts/go-tool.ts: the version of github.com/pulumi/pulumi/pkg/v3.
var version = "dev"

func main() {
	driver.Main("sdkgen", version, map[string]driver.Generator{
		"nodejs": func(pkg *schema.Package, loader schema.ReferenceLoader) (map[string][]byte, error) {
			return nodejs.GeneratePackage(driver.Tool, pkg, nil, nil, false, loader)
		},
		"python": func(pkg *schema.Package, loader schema.ReferenceLoader) (map[string][]byte, error) {
			return python.GeneratePackage(driver.Tool, pkg, nil, loader)
		},
		"go": func(pkg *schema.Package, _ schema.ReferenceLoader) (map[string][]byte, error) {
			return gogen.GeneratePackage(driver.Tool, pkg, nil)
		},
	})
}
