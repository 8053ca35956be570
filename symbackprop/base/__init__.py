"""The ground floor: errors, files in and out, the shipped resources, progress and stages, time and memory
limits, and walks over expression trees. Nothing here knows what a network is."""
