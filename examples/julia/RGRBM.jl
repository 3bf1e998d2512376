# RGRBM.jl: ccall wrappers of librgrbm's core calls, kept symmetrical to the
# Python package python/rgrbm (same names and shapes).
#
# NOT TESTED HERE. Julia is not packaged in Debian 12 and cannot be installed
# on this project's build machines, so this file has never been run by the
# project's tests; it is written against the headers in include/rgrbm and the
# Python binding, which is tested. Expect to fix small things on first use.
#
# Usage:
#     ENV["RGRBM_LIBRARY"] = "/path/to/build/lib/librgrbm.so"   # before loading
#     include("examples/julia/RGRBM.jl"); using .RGRBM
#     lat = Lattice(SQUARE, 16, 16; K = 0.408)
#     data = draw(Sampler(lat, SWENDSEN_WANG, 2026), 2000; thermalize = 300, spacing = 5)
#
# Conventions:
# - Every failed call throws RgrbmError(status, name, message), the message
#   being rgrbm_last_error()'s.
# - Every handle's C object is owned by a Resource, which counts the views of
#   its memory and the C objects borrowing it (a sampler its lattice or
#   stack, a learned RG plan its stack). close(x) makes x unusable at once
#   (ArgumentError "... is closed") and frees the C object when no view and
#   no borrower is left; otherwise the last of them to be finalized frees it.
#   Finalizers may run in any order: the counts make that order irrelevant.
# - Batches are (n, width) matrices, one configuration per row as in Python;
#   they are transposed on the way in and out because C is row-major.
# - spins(lat), weights(s, l) and the biases are views of library memory (no
#   copy): OwnedArrays, which hold the Resource, so a view stays valid after
#   close(handle) until it is itself collected; weights(s, l)[i, j] is C's
#   W[i][j] (a PermutedDimsArray over the row-major storage).
module RGRBM

using Libdl

export RgrbmError, Dataset, Lattice, Sampler, Stack, RG, CdOptions, AisOptions, McrgOptions,
       CHAIN, SQUARE, PERIODIC, OPEN, METROPOLIS, HEAT_BATH, WOLFF, SWENDSEN_WANG,
       UNITS_BINARY, UNITS_SPIN, PASS_MEANS, PASS_SAMPLES, PRODUCTS_AUTO,
       PRODUCTS_SGEMM, PRODUCTS_TABLES, BLOCK_MAJORITY, BLOCK_DECIMATE,
       RG_SIGN_MEAN, RG_SAMPLE, version, memory_in_use, to_array, set_shape!, save_npy,
       load_npy, gibbs, set_progress!, table,
       set_couplings!, couplings, spins, bond_mean, magnetization, energy, sweep!, draw,
       exact_chain, exact_onsager, exact_torus, exact_enumerate, measure_thermo, measure,
       series_tau_int, OBS_ENERGY,
       depth, sizes, units, set_units!, weights, visible_bias, hidden_bias, up, down,
       free_energy, log_partition, log_partition_ais, log_likelihood, save, load_stack,
       receptive_field, locality, cd_train, stack_train, decimation1d, block2d, learned,
       apply, decimation1d_step, decimation1d_flow, stack_decimation1d, vrg_check, mcrg_run,
       K_CRITICAL

const LIB = get(ENV, "RGRBM_LIBRARY", "librgrbm.so.1")
const K_CRITICAL = 0.44068679350977151262
const MCRG_MAX_LEVELS, MCRG_EVEN, MCRG_ODD = 8, 6, 4
# Layout versions of the structs below (the headers' RGRBM_*_VERSION).
const CD_OPTIONS_VERSION, AIS_OPTIONS_VERSION, MCRG_OPTIONS_VERSION = Cuint(2), Cuint(1), Cuint(2)
const RESULT_VERSION = Cuint(1) # every result struct's current (and first) version

# Enums (values as in the headers).
const CHAIN, SQUARE = Cint(0), Cint(1)
const PERIODIC, OPEN = Cint(0), Cint(1)
const METROPOLIS, HEAT_BATH, WOLFF, SWENDSEN_WANG = Cint(0), Cint(1), Cint(2), Cint(3)
const UNITS_BINARY, UNITS_SPIN = Cint(0), Cint(1)
const PASS_MEANS, PASS_SAMPLES = Cint(0), Cint(1)
const PRODUCTS_AUTO, PRODUCTS_SGEMM, PRODUCTS_TABLES = Cint(0), Cint(1), Cint(2)
const OBS_ENERGY = Cint(5)
const BLOCK_MAJORITY, BLOCK_DECIMATE = Cint(0), Cint(1)
const RG_SIGN_MEAN, RG_SAMPLE = Cint(0), Cint(1)
const ECANCELED = -6

struct RgrbmError <: Exception
    status::Int
    name::String
    message::String
end
Base.showerror(io::IO, e::RgrbmError) = print(io, e.name, ": ", e.message)

# `@c f Ret (Types...) args...` is ccall((:f, LIB), Ret, (Types...), args...).
macro c(name, ret, types, args...)
    esc(:(ccall(($(QuoteNode(name)), LIB), $ret, $types, $(args...))))
end

# Like @c for functions returning a status: negative values throw.
macro chk(name, types, args...)
    esc(:(check(ccall(($(QuoteNode(name)), LIB), Cint, $types, $(args...)))))
end

function check(rc::Integer)
    if rc < 0
        name = unsafe_string(@c rgrbm_strerror Cstring (Cint,) rc)
        throw(RgrbmError(rc, name, unsafe_string(@c rgrbm_last_error Cstring ())))
    end
    rc
end

version() = unsafe_string(@c rgrbm_version_string Cstring ())
memory_in_use() = Int(@c rgrbm_memory_in_use Csize_t ())
"""The RGRBM_CPU_FLAG_* bits of this CPU; `set_cpu_mask(0)` runs the generic C kernels."""
cpu_flags() = @c rgrbm_cpu_flags Cuint ()
set_cpu_mask(mask::Integer) = @c rgrbm_cpu_set_mask Cvoid (Cuint,) mask
cpu_level() = unsafe_string(@c rgrbm_cpu_level_name Cstring ())

# ---- handles ---------------------------------------------------------------

const VoidPP = Ptr{Ptr{Cvoid}}

"""Owns one C object: freed once no handle, view or borrower refers to it."""
mutable struct Resource
    ptr::Ptr{Cvoid}
    destroy::Symbol          # the C destroy function
    deps::Vector{Resource}   # what this C object borrows
    borrowers::Int           # live C objects borrowing this one
    views::Int               # live OwnedArrays of its memory
    released::Bool           # the handle was closed or collected
end

function maybe_free!(r::Resource)
    (r.released && r.borrowers == 0 && r.views == 0 && r.ptr != C_NULL) || return
    ccall(Libdl.dlsym(Libdl.dlopen(LIB), r.destroy), Cvoid, (Ptr{Cvoid},), r.ptr)
    r.ptr = C_NULL
    for d in r.deps
        d.borrowers -= 1
        maybe_free!(d)
    end
    empty!(r.deps)
end

release!(r::Resource) = (r.released = true; maybe_free!(r))

"""A view of library memory that keeps its Resource (and so the memory) alive."""
mutable struct OwnedArray{T,N,A<:AbstractArray{T,N}} <: AbstractArray{T,N}
    data::A
    owner::Resource
    function OwnedArray(data::A, owner::Resource) where {T,N,A<:AbstractArray{T,N}}
        owner.views += 1
        finalizer(new{T,N,A}(data, owner)) do v
            v.owner.views -= 1
            maybe_free!(v.owner)
        end
    end
end
Base.size(v::OwnedArray) = size(v.data)
Base.IndexStyle(::Type{<:OwnedArray}) = IndexCartesian()
Base.getindex(v::OwnedArray{T,N}, i::Vararg{Int,N}) where {T,N} = v.data[i...]
Base.setindex!(v::OwnedArray{T,N}, x, i::Vararg{Int,N}) where {T,N} = (v.data[i...] = x)

function out_handle(f)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    f(out)
    out[]
end

mutable struct Dataset
    res::Union{Resource,Nothing}
end
mutable struct Lattice
    res::Union{Resource,Nothing}
end
mutable struct Sampler
    res::Union{Resource,Nothing}
    source::Any   # the Lattice or Stack it borrows
    level::Int    # a Gibbs sampler's layer (-1: the whole stack); unused for lattices
    dim::Int      # spins of a drawn configuration (read at creation: the source may be closed)
end
mutable struct Stack
    res::Union{Resource,Nothing}
end
mutable struct RG
    res::Union{Resource,Nothing}
    source::Any   # the Stack of a learned plan, else nothing
end
const Handle = Union{Dataset,Lattice,Sampler,Stack,RG}
const DESTROY = Dict(Dataset => :rgrbm_dataset_destroy, Lattice => :rgrbm_lattice_destroy,
                     Sampler => :rgrbm_sampler_destroy, Stack => :rgrbm_stack_destroy,
                     RG => :rgrbm_rg_destroy)

"""The open Resource of a handle, or ArgumentError("... is closed")."""
function resource(x::Handle)
    x.res === nothing && throw(ArgumentError("$(nameof(typeof(x))) is closed"))
    x.res
end

"""Wrap a fresh C handle in T; the handles among args are what it borrows."""
function own(T, ptr::Ptr{Cvoid}, args...)
    deps = Resource[resource(a) for a in args if a isa Handle]
    r = Resource(ptr, DESTROY[T], deps, 0, 0, false)
    foreach(d -> d.borrowers += 1, deps)
    finalizer(release!, r)
    T(r, args...)
end

Base.unsafe_convert(::Type{Ptr{Cvoid}}, x::Handle) = resource(x).ptr

"""Make x unusable; its C object is freed now, or when its last view or borrower goes."""
function Base.close(x::Handle)
    r, x.res = x.res, nothing
    r === nothing || release!(r)
    nothing
end

"""A view of n elements of type T at p, owned by handle x's Resource."""
wrap(x::Handle, p::Ptr, dims) = OwnedArray(unsafe_wrap(Array, p, dims), resource(x))

# ---- datasets --------------------------------------------------------------

function Dataset(dim::Integer; shape = nothing)
    ds = own(Dataset, out_handle(o -> @chk rgrbm_dataset_create (VoidPP, Csize_t) o dim))
    shape === nothing || set_shape!(ds, shape)
    ds
end

"""(ly, lx) like Python's shape2d."""
set_shape!(ds::Dataset, (ly, lx)) = @chk rgrbm_dataset_set_shape (Ptr{Cvoid}, Cint, Cint) ds lx ly
Base.length(ds::Dataset) = Int(@c rgrbm_dataset_count Csize_t (Ptr{Cvoid},) ds)
dim(ds::Dataset) = Int(@c rgrbm_dataset_dim Csize_t (Ptr{Cvoid},) ds)

"""Append an (n, dim) matrix of -1/+1 configurations."""
function Base.append!(ds::Dataset, spins::AbstractMatrix)
    rows = Matrix{Int8}(permutedims(spins))
    @chk rgrbm_dataset_append (Ptr{Cvoid}, Ptr{Int8}, Csize_t) ds rows size(spins, 1)
    ds
end

"""The configurations as an (n, dim) Int8 matrix."""
function to_array(ds::Dataset)
    out = Matrix{Int8}(undef, dim(ds), length(ds))
    @chk rgrbm_dataset_get (Ptr{Cvoid}, Csize_t, Csize_t, Ptr{Int8}) ds 0 length(ds) out
    permutedims(out)
end

save_npy(ds::Dataset, path) = @chk rgrbm_dataset_save_npy (Ptr{Cvoid}, Cstring) ds path
load_npy(path) = own(Dataset, out_handle(o -> @chk rgrbm_dataset_load_npy (VoidPP, Cstring) o path))

# ---- lattices and samplers -------------------------------------------------

function Lattice(g, lx, ly = 1; boundary = PERIODIC, K = 0.0, h = 0.0)
    lat = own(Lattice, out_handle(o -> @chk(rgrbm_lattice_create, (VoidPP, Cint, Cint, Cint, Cint),
        o, g, lx, ly, boundary)))
    set_couplings!(lat, K, h)
    lat
end

set_couplings!(lat::Lattice, K, h = 0.0) =
    @chk rgrbm_lattice_set_couplings (Ptr{Cvoid}, Cdouble, Cdouble) lat K h
function couplings(lat::Lattice)
    K, h = Ref(0.0), Ref(0.0)
    @chk rgrbm_lattice_couplings (Ptr{Cvoid}, Ref{Cdouble}, Ref{Cdouble}) lat K h
    (K[], h[])
end
Base.length(lat::Lattice) = Int(@c rgrbm_lattice_sites Csize_t (Ptr{Cvoid},) lat)

"""The spins as a view: an (ly, lx) matrix indexed [y, x] (transposed wrap of row-major)."""
function spins(lat::Lattice)
    lx, ly = Ref{Cint}(0), Ref{Cint}(0)
    @chk(rgrbm_lattice_shape, (Ptr{Cvoid}, Ptr{Cint}, Ref{Cint}, Ref{Cint}, Ptr{Cint}),
        lat, C_NULL, lx, ly, C_NULL)
    p = @c rgrbm_lattice_spins Ptr{Int8} (Ptr{Cvoid},) lat
    PermutedDimsArray(wrap(lat, p, (Int(lx[]), Int(ly[]))), (2, 1))
end
# The observables are computed: a status and an out-pointer.
function bond_mean(lat::Lattice)
    out = Ref(0.0)
    @chk rgrbm_lattice_bond_mean (Ptr{Cvoid}, Ref{Cdouble}) lat out
    out[]
end
function magnetization(lat::Lattice)
    out = Ref(0.0)
    @chk rgrbm_lattice_magnetization (Ptr{Cvoid}, Ref{Cdouble}) lat out
    out[]
end
function energy(lat::Lattice)
    out = Ref(0.0)
    @chk rgrbm_lattice_energy (Ptr{Cvoid}, Ref{Cdouble}) lat out
    out[]
end

Sampler(lat::Lattice, alg = METROPOLIS, seed = 1) =
    own(Sampler, out_handle(o -> @chk(rgrbm_sampler_create, (VoidPP, Ptr{Cvoid}, Cint, UInt64),
        o, lat, alg, seed)), lat, 0, length(lat))
gibbs(s::Stack, layer = -1, chains = 1, seed = 1) =
    own(Sampler, out_handle(o -> @chk(rgrbm_sampler_create_gibbs,
        (VoidPP, Ptr{Cvoid}, Cint, Csize_t, UInt64),
        o, s, layer, chains, seed)), s, layer, size(s, max(layer, 0)))
draw_dim(smp::Sampler) = smp.dim
sweep!(smp::Sampler, n = 1) = @chk rgrbm_sampler_sweep (Ptr{Cvoid}, UInt64) smp n

"""Append count configurations to out (a new Dataset by default) and return it."""
function draw(smp::Sampler, count; thermalize = 0, spacing = 1, out = Dataset(draw_dim(smp)))
    @chk(rgrbm_sampler_draw, (Ptr{Cvoid}, Csize_t, UInt64, UInt64, Ptr{Cvoid}),
        smp, count, thermalize, spacing, out)
    out
end

# ---- exact references and estimates ----------------------------------------

struct Exact
    version::Cuint
    log_z_per_site::Cdouble
    bond_mean::Cdouble
    specific_heat::Cdouble
    magnetization::Cdouble
    abs_magnetization::Cdouble
    magnetization2::Cdouble
    magnetization4::Cdouble
end
struct Estimate
    value::Cdouble
    error::Cdouble
end
struct Thermo
    version::Cuint
    bond_mean::Estimate
    abs_magnetization::Estimate
    magnetization2::Estimate
    susceptibility::Estimate
    specific_heat::Estimate
    binder::Estimate
end

"""Call f(ref) on a T whose version (its first field, a Cuint) is set and return
the filled value (C out-parameter result structs)."""
function out_struct(f, ::Type{T}) where {T}
    r = Ref{T}()
    GC.@preserve r unsafe_store!(Ptr{Cuint}(Base.unsafe_convert(Ptr{T}, r)), RESULT_VERSION)
    f(r)
    r[]
end

exact_chain(n, K, h = 0.0, bc = PERIODIC) = out_struct(Exact) do r
    @chk(rgrbm_exact_chain, (Cint, Cdouble, Cdouble, Cint, Ref{Exact}), n, K, h, bc, r)
end
exact_onsager(K) = out_struct(r -> @chk(rgrbm_exact_onsager, (Cdouble, Ref{Exact}), K, r), Exact)
exact_torus(lx, ly, K) = out_struct(Exact) do r
    @chk(rgrbm_exact_torus, (Cint, Cint, Cdouble, Ref{Exact}), lx, ly, K, r)
end
exact_enumerate(g, lx, ly, bc, K, h = 0.0) = out_struct(Exact) do r
    @chk(rgrbm_exact_enumerate, (Cint, Cint, Cint, Cint, Cdouble, Cdouble, Ref{Exact}),
        g, lx, ly, bc, K, h, r)
end
"""One observable per configuration (obs as rgrbm_observable, e.g. OBS_ENERGY)."""
function measure(ds::Dataset, model::Lattice, obs)
    out = Vector{Cdouble}(undef, length(ds))
    @chk rgrbm_measure (Ptr{Cvoid}, Ptr{Cvoid}, Cint, Ptr{Cdouble}) ds model obs out
    out
end

function series_tau_int(x::AbstractVector)
    v, tau = Vector{Cdouble}(x), Ref(0.0)
    @chk rgrbm_series_tau_int (Ptr{Cdouble}, Csize_t, Ref{Cdouble}) v length(v) tau
    tau[]
end

measure_thermo(ds::Dataset, model::Lattice, bins = 20) = out_struct(Thermo) do r
    @chk(rgrbm_measure_thermo, (Ptr{Cvoid}, Ptr{Cvoid}, Csize_t, Ref{Thermo}), ds, model, bins, r)
end

# ---- stacks ----------------------------------------------------------------

function Stack(sz::AbstractVector{<:Integer}, u = UNITS_BINARY, seed = 1)
    c = Cint.(sz)
    own(Stack, out_handle(o -> @chk(rgrbm_stack_create, (VoidPP, Ptr{Cint}, Cint, Cint, UInt64),
        o, c, length(c), u, seed)))
end
load_stack(path) = own(Stack, out_handle(o -> @chk rgrbm_stack_load (VoidPP, Cstring) o path))
stack_decimation1d(n_sites, K, levels) =
    own(Stack, out_handle(o -> @chk(rgrbm_decimation1d_stack, (VoidPP, Cint, Cdouble, Cint),
        o, n_sites, K, levels)))
save(s::Stack, path) = @chk rgrbm_stack_save (Ptr{Cvoid}, Cstring) s path

# Getters return the value; a depth or size is never 0, so 0 means the call
# failed (a level out of range) and the library has set the message.
nonzero(v::Integer) = v == 0 ? check(-1) : v
depth(s::Stack) = Int(nonzero(@c rgrbm_stack_depth Cint (Ptr{Cvoid},) s))
Base.size(s::Stack, level::Integer) =
    Int(nonzero(@c rgrbm_stack_size Csize_t (Ptr{Cvoid}, Cint) s level))
sizes(s::Stack) = [size(s, l) for l in 0:depth(s)]
units(s::Stack) = Int(@c rgrbm_stack_units Cint (Ptr{Cvoid},) s)
set_units!(s::Stack, u) = @chk rgrbm_stack_set_units (Ptr{Cvoid}, Cint) s u

function param_ptr(p::Ptr{Cfloat})
    p == C_NULL && check(-1)  # the library has set the message
    p
end

"""Layer weights as a view indexed [i, j] = C's W[i][j], size (size(l), size(l+1))."""
function weights(s::Stack, layer)
    p = param_ptr(@c rgrbm_stack_weights Ptr{Cfloat} (Ptr{Cvoid}, Cint) s layer)
    PermutedDimsArray(wrap(s, p, (size(s, layer + 1), size(s, layer))), (2, 1))
end
function visible_bias(s::Stack, layer)
    p = param_ptr(@c rgrbm_stack_visible_bias Ptr{Cfloat} (Ptr{Cvoid}, Cint) s layer)
    wrap(s, p, size(s, layer))
end
function hidden_bias(s::Stack, layer)
    p = param_ptr(@c rgrbm_stack_hidden_bias Ptr{Cfloat} (Ptr{Cvoid}, Cint) s layer)
    wrap(s, p, size(s, layer + 1))
end

"""Row-major float32 copy of an (n, width) batch: a (width, n) Julia matrix."""
rows_in(x::AbstractMatrix) = Matrix{Cfloat}(permutedims(x))

"""Conditional means of level `to` for the rows x of level `from`, by the C
function `sym` (rgrbm_stack_up or rgrbm_stack_down: same signature), called
through its address so that one body serves both directions."""
function stack_pass(sym::Symbol, s::Stack, x::AbstractMatrix, from, to)
    fptr = Libdl.dlsym(Libdl.dlopen(LIB), sym)
    xin = rows_in(x)
    out = Matrix{Cfloat}(undef, size(s, to), size(x, 1))
    check(ccall(fptr, Cint, (Ptr{Cvoid}, Cint, Cint, Ptr{Cfloat}, Csize_t, Ptr{Cfloat}),
                s, from, to, xin, size(x, 1), out))
    permutedims(out)
end

up(s::Stack, x::AbstractMatrix, from = 0, to = depth(s)) =
    stack_pass(:rgrbm_stack_up, s, x, from, to)
down(s::Stack, x::AbstractMatrix, from = depth(s), to = 0) =
    stack_pass(:rgrbm_stack_down, s, x, from, to)

function free_energy(s::Stack, layer, v::AbstractMatrix)
    vin = rows_in(v)
    out = Vector{Cdouble}(undef, size(v, 1))
    @chk(rgrbm_stack_free_energy, (Ptr{Cvoid}, Cint, Ptr{Cfloat}, Csize_t, Ptr{Cdouble}),
        s, layer, vin, size(v, 1), out)
    out
end

function log_partition(s::Stack, layer = 0)
    z = Ref(0.0)
    @chk rgrbm_stack_log_partition (Ptr{Cvoid}, Cint, Ref{Cdouble}) s layer z
    z[]
end

function log_likelihood(s::Stack, layer, data::Dataset)
    ll = Ref(0.0)
    @chk rgrbm_stack_log_likelihood (Ptr{Cvoid}, Cint, Ptr{Cvoid}, Ref{Cdouble}) s layer data ll
    ll[]
end

"""r(level) = W(0)...W(level-1) as a (size(0), size(level)) matrix (a copy)."""
function receptive_field(s::Stack, level)
    out = Matrix{Cfloat}(undef, size(s, level), size(s, 0))
    @chk rgrbm_receptive_field (Ptr{Cvoid}, Cint, Ptr{Cfloat}) s level out
    permutedims(out)
end

mutable struct Locality
    version::Cuint
    units::Csize_t
    gyration_mean::Cdouble
    gyration_sd::Cdouble
    block_fraction_mean::Cdouble
    block_fraction_sd::Cdouble
end

function locality(s::Stack, level, lx, ly, b)
    loc = Locality(RESULT_VERSION, 0, 0, 0, 0, 0)
    @chk(rgrbm_receptive_summarize, (Ptr{Cvoid}, Cint, Cint, Cint, Cint, Ref{Locality}),
        s, level, lx, ly, b, loc)
    loc
end

mutable struct AisOptions
    version::Cuint
    betas::Cint
    runs::Csize_t
    base::Cint
    data::Ptr{Cvoid}
    reverse_burn_in::UInt64
    margin::Cdouble
    seed::UInt64
end

function AisOptions(; kw...)
    o = AisOptions(0, 0, 0, 0, C_NULL, 0, 0, 0)
    @chk rgrbm_ais_options_init (Ref{AisOptions}, Cuint) o AIS_OPTIONS_VERSION
    foreach(((k, v),) -> setfield!(o, k, convert(fieldtype(AisOptions, k), v)), kw)
    o
end

"""(lower, upper) bracket of ln Z by AIS. The base-rate dataset is passed as
`data` (a Dataset, held for the call); o.data itself is never dereferenced
after the call."""
function log_partition_ais(s::Stack, layer = 0, o::AisOptions = AisOptions();
                           data::Union{Dataset,Nothing} = nothing)
    lo, hi = Ref(0.0), Ref(0.0)
    o.data = data === nothing ? C_NULL : resource(data).ptr
    try
        GC.@preserve data @chk(rgrbm_ais_log_partition,
            (Ptr{Cvoid}, Cint, Ref{AisOptions}, Ref{Cdouble}, Ref{Cdouble}),
            s, layer, o, lo, hi)
    finally
        o.data = C_NULL
    end
    (lo[], hi[])
end

# ---- training --------------------------------------------------------------

mutable struct CdOptions
    version::Cuint
    epochs::Cint
    batch_size::Csize_t
    k::Cint
    persistent::Cint
    persistent_chains::Csize_t
    learning_rate::Cdouble
    momentum_initial::Cdouble
    momentum_final::Cdouble
    momentum_switch_epoch::Cint
    l1::Cdouble
    l2::Cdouble
    mean_field_reconstruction::Cint
    feed_up::Cint
    compute_pll::Cint
    seed::UInt64
    progress::Ptr{Cvoid}
    progress_data::Ptr{Cvoid}
    products::Cint
end

# Julia-side state of a CdOptions' callback, keyed by the options object:
# the closure's cfunction (rooted) and an exception it raised.
const CALLBACKS = IdDict{CdOptions,Any}()
const PENDING = IdDict{CdOptions,Any}()

function CdOptions(; progress = nothing, kw...)
    o = CdOptions(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, C_NULL, C_NULL, 0)
    @chk rgrbm_cd_options_init (Ref{CdOptions}, Cuint) o CD_OPTIONS_VERSION
    foreach(((k, v),) -> setfield!(o, k, convert(fieldtype(CdOptions, k), v)), kw)
    progress === nothing || set_progress!(o, progress)
    o
end

"""f(layer, epoch, reconstruction_error, pll, seconds): true cancels; an exception
cancels and is rethrown by cd_train / stack_train."""
function set_progress!(o::CdOptions, f)
    function trampoline(::Ptr{Cvoid}, layer::Cint, epoch::Cint, rec::Cdouble, pll::Cdouble,
                        secs::Cdouble)::Cint
        try
            return f(layer, epoch, rec, pll, secs) === true ? 1 : 0
        catch e
            PENDING[o] = e
            return 1
        end
    end
    cf = @cfunction($trampoline, Cint, (Ptr{Cvoid}, Cint, Cint, Cdouble, Cdouble, Cdouble))
    CALLBACKS[o] = cf
    o.progress = Base.unsafe_convert(Ptr{Cvoid}, cf)
    o
end

function rethrow_pending(err, opts)
    for o in opts
        e = pop!(PENDING, o, nothing)
        e === nothing || throw(e)
    end
    throw(err)
end

function cd_train(s::Stack, layer, data::Dataset, o::CdOptions = CdOptions())
    try
        @chk rgrbm_cd_train (Ptr{Cvoid}, Cint, Ptr{Cvoid}, Ref{CdOptions}) s layer data o
    catch err
        err isa RgrbmError && err.status == ECANCELED ? rethrow_pending(err, (o,)) : rethrow()
    end
    nothing
end

"""Greedy training with one CdOptions for all layers or a vector of depth(s)."""
function stack_train(s::Stack, data::Dataset, per_layer)
    opts = per_layer isa CdOptions ? fill(per_layer, depth(s)) : collect(per_layer)
    length(opts) == depth(s) ||
        throw(ArgumentError("$(length(opts)) options for $(depth(s)) layers"))
    # An array of the C structs themselves (isbits copies of the mutable ones).
    flat = [ntuple(i -> getfield(o, i), fieldcount(CdOptions)) for o in opts]
    try
        GC.@preserve opts @chk rgrbm_cd_train_stack (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}) s data flat
    catch err
        err isa RgrbmError && err.status == ECANCELED ? rethrow_pending(err, opts) : rethrow()
    end
    nothing
end

# ---- RG --------------------------------------------------------------------

decimation1d(n_sites, b = 2) =
    own(RG, out_handle(o -> @chk(rgrbm_rg_create_decimation1d, (VoidPP, Cint, Cint),
        o, n_sites, b)), nothing)
block2d(lx, ly, b = 2, rule = BLOCK_MAJORITY, seed = 1) =
    own(RG, out_handle(o -> @chk(rgrbm_rg_create_block2d, (VoidPP, Cint, Cint, Cint, Cint, UInt64),
        o, lx, ly, b, rule, seed)), nothing)
learned(s::Stack, level, mode = RG_SIGN_MEAN, seed = 1) =
    own(RG, out_handle(o -> @chk(rgrbm_rg_create_learned, (VoidPP, Ptr{Cvoid}, Cint, Cint, UInt64),
        o, s, level, mode, seed)), s)

struct RgDims
    version::Cuint
    in_dim::Csize_t
    out_dim::Csize_t
    in_lx::Cint
    in_ly::Cint
    out_lx::Cint
    out_ly::Cint
    b::Cint
end

dims(rg::RG) = out_struct(r -> @chk(rgrbm_rg_shape, (Ptr{Cvoid}, Ref{RgDims}), rg, r), RgDims)
out_dim(rg::RG) = Int(dims(rg).out_dim)

function apply(rg::RG, data::Dataset, out::Dataset = Dataset(out_dim(rg)))
    @chk rgrbm_rg_apply (Ptr{Cvoid}, Ptr{Cvoid}, Ptr{Cvoid}) rg data out
    out
end

function decimation1d_step(K, h = 0.0, b = 2)
    K1, h1, g = Ref(0.0), Ref(0.0), Ref(0.0)
    @chk(rgrbm_decimation1d_step,
        (Cdouble, Cdouble, Cint, Ref{Cdouble}, Ref{Cdouble}, Ref{Cdouble}),
        K, h, b, K1, h1, g)
    (K1[], h1[], g[])
end

function decimation1d_flow(K, h = 0.0, b = 2, steps = 1)
    Ks, hs, gs = zeros(steps), zeros(steps), zeros(steps)
    @chk(rgrbm_decimation1d_flow,
        (Cdouble, Cdouble, Cint, Cint, Ptr{Cdouble}, Ptr{Cdouble}, Ptr{Cdouble}),
        K, h, b, steps, Ks, hs, gs)
    (Ks, hs, gs)
end

struct VrgReport
    version::Cuint
    trace_defect::Cdouble
    trace_spread::Cdouble
    delta_f::Cdouble
    kl::Cdouble
    h_rg_max_diff::Cdouble
end

vrg_check(s::Stack, layer, model::Lattice) = out_struct(VrgReport) do r
    @chk(rgrbm_vrg_check, (Ptr{Cvoid}, Cint, Ptr{Cvoid}, Ref{VrgReport}), s, layer, model, r)
end

mutable struct McrgOptions
    version::Cuint
    levels::Cint
    samples::Csize_t
    thermalize::UInt64
    spacing::UInt64
    bins::Csize_t
    even_operators::Cint
    odd_operators::Cint
    chains::Csize_t
    seed::UInt64
end

function McrgOptions(; kw...)
    o = McrgOptions(0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    @chk rgrbm_mcrg_options_init (Ref{McrgOptions}, Cuint) o MCRG_OPTIONS_VERSION
    foreach(((k, v),) -> setfield!(o, k, convert(fieldtype(McrgOptions, k), v)), kw)
    o
end

struct McrgExponent
    lambda::Cdouble
    lambda_err::Cdouble
    y::Cdouble
    y_err::Cdouble
end

struct McrgResult
    version::Cuint
    levels::Cint
    even_operators::Cint
    odd_operators::Cint
    b::Cint
    samples::Csize_t
    even::Ptr{McrgExponent}
    odd::Ptr{McrgExponent}
end

"""A library array of levels x k exponents (row n: level n) copied into a Julia matrix."""
exponents(p::Ptr{McrgExponent}, levels, k) =
    permutedims(reshape(copy(unsafe_wrap(Array, p, Int(levels) * Int(k))), Int(k), Int(levels)))

"""Swendsen's MCRG: a named tuple whose even and odd fields are (levels, operators)
matrices of McrgExponent (lambda, lambda_err, y, y_err)."""
function mcrg_run(smp::Sampler, rg::RG, o::McrgOptions = McrgOptions())
    r = Ref(McrgResult(RESULT_VERSION, 0, 0, 0, 0, 0, C_NULL, C_NULL))
    @chk(rgrbm_mcrg_run, (Ptr{Cvoid}, Ptr{Cvoid}, Ref{McrgOptions}, Ref{McrgResult}), smp, rg, o, r)
    x = r[]
    try
        (levels = Int(x.levels), b = Int(x.b), samples = Int(x.samples),
         even = exponents(x.even, x.levels, x.even_operators),
         odd = exponents(x.odd, x.levels, x.odd_operators))
    finally
        @c rgrbm_mcrg_result_free Cvoid (Ref{McrgResult},) r
    end
end

end # module
