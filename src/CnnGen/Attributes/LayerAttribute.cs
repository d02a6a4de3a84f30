using System;

namespace CnnGen;

/// <summary>
/// What every layer attribute has: a module name. The layers of a class apply in the order they are
/// written; each is a module of the equivalent nn.Sequential, whose tensors a state_dict keys by
/// the module's name.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public abstract class LayerAttribute : Attribute
{
    private protected LayerAttribute()
    {
    }

    /// <summary>
    /// The module's name in the state_dict: its tensors are "{Name}.weight", "{Name}.bias". Unset, the
    /// module is named by its 0-based position among all the layers, as in nn.Sequential. Names must be
    /// non-empty, differ from every other layer's name or position, and contain no ".".
    /// </summary>
    public string? Name { get; set; }
}
