// Weerbaar behaviour
