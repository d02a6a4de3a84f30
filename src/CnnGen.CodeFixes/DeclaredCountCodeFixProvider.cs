using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CnnGen.CodeFixes;

/// <summary>
/// For a declared count the previous layer contradicts (Conv2D InChannels, CNN0008; Dense Inputs,
/// CNN0012; BatchNorm2D Channels and PReLU Parameters, CNN0019): "Change InChannels to 8" writes the
/// produced count, "Remove InChannels" lets the generator infer it (PReLU's default, one shared weight, fits any input). The diagnostic sits on the named argument, so that is what both fixes edit.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DeclaredCountCodeFixProvider)), Shared]
public sealed class DeclaredCountCodeFixProvider : CodeFixProvider
{
    private const string ChangeKey = "CnnGen.ChangeDeclaredCount";
    private const string RemoveKey = "CnnGen.RemoveDeclaredCount";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(DiagnosticIds.InChannelsMismatch, DiagnosticIds.DenseInputsMismatch, DiagnosticIds.ChannelsMismatch);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null) return;
        foreach (var diagnostic in context.Diagnostics)
        {
            if (root.FindNode(diagnostic.Location.SourceSpan) is not AttributeArgumentSyntax { NameEquals: { } name } argument) continue;
            string property = name.Name.Identifier.ValueText;

            if (diagnostic.Properties.TryGetValue(DiagnosticIds.CorrectValueProperty, out var text) &&
                int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int correct))
            {
                context.RegisterCodeFix(
                    CodeAction.Create($"Change {property} to {correct}",
                        ct => ReplaceAsync(context.Document, argument, argument.WithExpression(Literal(correct, argument.Expression)), ct),
                        ChangeKey),
                    diagnostic);
            }
            context.RegisterCodeFix(
                CodeAction.Create($"Remove {property}", ct => RemoveAsync(context.Document, argument, ct), RemoveKey),
                diagnostic);
        }
    }

    private static ExpressionSyntax Literal(int value, ExpressionSyntax replaced) =>
        SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(value)).WithTriviaFrom(replaced);

    private static async Task<Document> ReplaceAsync(Document document, SyntaxNode old, SyntaxNode replacement, CancellationToken ct)
    {
        var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
        return root is null ? document : document.WithSyntaxRoot(root.ReplaceNode(old, replacement));
    }

    private static async Task<Document> RemoveAsync(Document document, AttributeArgumentSyntax argument, CancellationToken ct)
    {
        if (argument.Parent is not AttributeArgumentListSyntax list || list.Parent is not AttributeSyntax attribute) return document;
        var remaining = list.Arguments.Remove(argument);
        // [Conv2D(InChannels = 3)] becomes [Conv2D], not [Conv2D()]
        SyntaxNode replacement = remaining.Count == 0
            ? attribute.WithArgumentList(null)
            : attribute.WithArgumentList(list.WithArguments(remaining));
        return await ReplaceAsync(document, attribute, replacement, ct).ConfigureAwait(false);
    }
}
