# owned by the state part of the engine
