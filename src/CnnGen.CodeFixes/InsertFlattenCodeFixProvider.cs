using System.Collections.Immutable;
using System.Composition;
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
/// CNN0011, Dense applied to a feature map: "Insert [Flatten] before Dense". Layers apply in source
/// order, so Flatten goes just before the Dense attribute: as a list of its own on the line above
/// when Dense has its own list, or into the shared list just before Dense.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(InsertFlattenCodeFixProvider)), Shared]
public sealed class InsertFlattenCodeFixProvider : CodeFixProvider
{
    private const string Title = "Insert [Flatten] before Dense";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.DenseNeedsFlatten);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null) return;
        foreach (var diagnostic in context.Diagnostics)
        {
            var dense = root.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<AttributeSyntax>();
            if (dense?.Parent is not AttributeListSyntax list || list.Parent is not MemberDeclarationSyntax) continue;
            context.RegisterCodeFix(
                CodeAction.Create(Title, ct => InsertFlattenAsync(context.Document, dense, list, ct), Title),
                diagnostic);
        }
    }

    private static async Task<Document> InsertFlattenAsync(Document document, AttributeSyntax dense, AttributeListSyntax list, CancellationToken ct)
    {
        var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
        if (root is null) return document;
        var flatten = SyntaxFactory.Attribute(FlattenName(dense.Name));

        if (list.Attributes.Count == 1)
        {
            // [Flatten] takes the Dense list's place, comments above it included; Dense moves to the next line, indented alike
            var leading = list.GetLeadingTrivia();
            var indentation = leading.Reverse().TakeWhile(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).Reverse();
            var flattenList = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(flatten))
                .WithLeadingTrivia(leading)
                .WithTrailingTrivia(LineBreakAfter(list));
            var denseList = list.WithLeadingTrivia(indentation);
            var edited = root.ReplaceNode(list, new SyntaxNode[] { flattenList, denseList });
            return document.WithSyntaxRoot(edited);
        }

        var items = list.Attributes.GetWithSeparators();
        int at = items.IndexOf(dense);
        var withFlatten = items.InsertRange(at, new SyntaxNodeOrToken[]
        {
            flatten.WithLeadingTrivia(dense.GetLeadingTrivia()),
            SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(SyntaxFactory.Space),
        });
        withFlatten = withFlatten.Replace(withFlatten[at + 2], dense.WithoutLeadingTrivia());
        return document.WithSyntaxRoot(root.ReplaceNode(list, list.WithAttributes(SyntaxFactory.SeparatedList<AttributeSyntax>(withFlatten))));
    }

    /// <summary>Flatten written the way Dense is: Dense, DenseAttribute, CnnGen.Dense, global::CnnGen.DenseAttribute.</summary>
    private static NameSyntax FlattenName(NameSyntax dense)
    {
        string text = dense.WithoutTrivia().ToString();
        int at = text.LastIndexOf("Dense", System.StringComparison.Ordinal);
        return SyntaxFactory.ParseName(at < 0 ? "Flatten" : text.Substring(0, at) + "Flatten" + text.Substring(at + "Dense".Length));
    }

    /// <summary>The line break that ends the Dense list's line, or an elastic one.</summary>
    private static SyntaxTriviaList LineBreakAfter(AttributeListSyntax list)
    {
        var trailing = list.GetTrailingTrivia();
        var lineBreak = trailing.FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
        if (lineBreak.IsKind(SyntaxKind.EndOfLineTrivia)) return SyntaxFactory.TriviaList(lineBreak);
        // [Dense(...)] public partial class Net on one line: an elastic break the code action's formatter lays out
        return SyntaxFactory.TriviaList(SyntaxFactory.ElasticLineFeed);
    }
}
