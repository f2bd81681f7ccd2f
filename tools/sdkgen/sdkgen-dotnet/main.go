// Command sdkgen-dotnet writes the C# SDK of a Pulumi package from its schema, with Pulumi's own code
// generator github.com/pulumi/pulumi/pkg/v3/codegen/dotnet; see driver.Main for its command line.
//
// A module of its own because codegen/dotnet is gone from the pkg/v3 of the CLI (v3.276.0); v3.206.0
// still has it. (It lives on in pulumi-dotnet's language host, which the Go module proxy does not serve.)
package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"path"

	"github.com/pulumi/pulumi/pkg/v3/codegen/dotnet"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"

	"github.com/pulumi-stytch-client-secret-rotation/tools/sdkgen/driver"
)

// Set with -ldflags -X by scripts/go-tool.ts: the version of github.com/pulumi/pulumi/pkg/v3.
var version = "dev"

func main() {
	// The generator downloads the NuGet package icon (the schema's logoUrl, or else Pulumi's logo from
	// GitHub) into logo.png. Generation must work offline and give the same bytes every time, so no request
	// leaves this process: the default logo is answered with a placeholder drawn here.
	http.DefaultTransport = offline{}
	driver.Main("sdkgen-dotnet", version, map[string]driver.Generator{
		"dotnet": func(pkg *schema.Package, _ schema.ReferenceLoader) (map[string][]byte, error) {
			return dotnet.GeneratePackage(driver.Tool, pkg, nil, nil)
		},
	})
}

type offline struct{}

func (offline) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != "raw.githubusercontent.com" || path.Base(req.URL.Path) != "pulumi_logo_64x64.png" {
		return nil, fmt.Errorf("sdkgen-dotnet works offline and fetches nothing; the schema's logoUrl %s "+
			"cannot be used (remove it, or teach tools/sdkgen/sdkgen-dotnet to read the logo from the repository)",
			req.URL)
	}
	logo, err := placeholderLogo()
	if err != nil {
		return nil, err
	}
	return &http.Response{
		StatusCode:    http.StatusOK,
		Header:        http.Header{"Content-Type": {"image/png"}},
		Body:          io.NopCloser(bytes.NewReader(logo)),
		ContentLength: int64(len(logo)),
		Request:       req,
	}, nil
}

// placeholderLogo is a plain 64×64 square. Uncompressed, so that its bytes do not depend on the Go
// version's deflate implementation.
func placeholderLogo() ([]byte, error) {
	square := image.NewPaletted(image.Rect(0, 0, 64, 64), color.Palette{color.RGBA{0x4d, 0x5b, 0xd9, 0xff}})
	var buffer bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.NoCompression}).Encode(&buffer, square); err != nil {
		return nil, err
	}
	return buffer.Bytes(), nil
}
