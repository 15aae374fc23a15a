"""The registrations of Question 3: the latent-variable parts (3a, 3b) and the ELBO parts (3c, 3d)."""

from derivations.vae import elbo_parts, latent_parts  # noqa: F401  (importing registers the parts)
